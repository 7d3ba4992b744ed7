import { connect, type Socket } from 'node:net';
import { createHarness, type Harness } from './harness.ts';

/** A raw connection to a listening gateway: what it received, and whether the server closed it. */
export interface RawConnection {
  readonly socket: Socket;
  readonly received: () => string;
  readonly isClosed: () => boolean;
}

/**
 * A gateway listening on a free loopback port, for tests that need real sockets (slow clients,
 * connection limits: inject() has none), and raw connections to it, all closed by `close()`.
 */
export async function listeningGateway(env: Record<string, string>) {
  const h: Harness = await createHarness({ env });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  const sockets: Socket[] = [];

  /** Opens a connection, waits until it is connected (or refused), then writes `text`. */
  async function open(text: string): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let closed = false;
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    if (!closed) socket.write(text);
    return { socket, received: () => Buffer.concat(chunks).toString('utf8'), isClosed: () => closed };
  }

  return {
    h,
    port,
    open,
    async close(): Promise<void> {
      for (const s of sockets.splice(0)) s.destroy();
      await h.close();
    },
  };
}
