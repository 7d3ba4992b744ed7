import { createServer } from 'node:net';

/**
 * Ports are handed out from below Linux's ephemeral range (32768-60999 by default). A port the OS
 * picks with listen(0) comes from that range, and between our releasing it and the service binding
 * it, any outgoing connection on the machine (a test's PostgreSQL or Kafka client) may take it as
 * its local port: CI once failed on exactly that (EADDRINUSE). Fixed ports of tests (the zero-setup
 * platform test) stay below 22000, out of this range too.
 */
export const PORT_RANGE = { low: 22_000, high: 32_000 } as const;

/** Whether 127.0.0.1:port can be bound right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Ports this process has handed out. A stack reserves all its ports before starting any replica,
 * so a port is still free (unbound) when the next one is drawn: without this set two replicas
 * could be given the same port (a CI smoke run failed on EADDRINUSE that way). Never released:
 * a restarted replica keeps its ports, and the range is far larger than any run needs.
 */
const handedOut = new Set<number>();

/** A port free right now on 127.0.0.1, outside the ephemeral range and not handed out before by this process. */
export async function freePort(random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.low + Math.floor(random() * (PORT_RANGE.high - PORT_RANGE.low));
    if (!handedOut.has(port) && (await canBind(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.low}-${PORT_RANGE.high} after 100 tries`);
}
