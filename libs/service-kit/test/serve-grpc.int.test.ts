import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHealth, type ServiceDefinition } from '@mealpeak/grpc';
import { createLifecycle, type Lifecycle } from '@mealpeak/runtime';
import { createLogger } from '@mealpeak/telemetry';
import { serveGrpc } from '../src/grpc.ts';

const logger = createLogger({ service: 't', level: 'silent' });
const empty = () => Buffer.alloc(0);
const definition = {
  ping: {
    path: '/mealpeak.testing.v1.Ping/Ping',
    requestStream: false,
    responseStream: false,
    requestSerialize: empty,
    requestDeserialize: () => ({}),
    responseSerialize: empty,
    responseDeserialize: () => ({}),
  },
} satisfies ServiceDefinition;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('serveGrpc readiness', () => {
  let lifecycle: Lifecycle | undefined;
  afterAll(async () => {
    await lifecycle?.shutdown('test');
  });

  it('answers NOT_SERVING until start-up has finished, then SERVING until shutdown', async () => {
    lifecycle = createLifecycle({ logger, timeoutMs: 2_000 });
    const port = await freePort();
    const config = { GRPC_PORT: port, LISTEN_HOST: '127.0.0.1', SHUTDOWN_TIMEOUT_MS: 2_000 };
    const registerDrain = await serveGrpc({ config, logger, lifecycle }, definition, {
      ping: async () => ({ ok: true, value: {} }),
    });
    registerDrain();
    const target = `127.0.0.1:${port}`;
    // Bound and answering, but the consumer's join (and the rest of start-up) is still to come.
    expect(await checkHealth(target)).toBe('NOT_SERVING');
    expect(await checkHealth(target, 'mealpeak.testing.v1.Ping')).toBe('NOT_SERVING');
    lifecycle.setReady(true);
    expect(await checkHealth(target)).toBe('SERVING');
    expect(await checkHealth(target, 'mealpeak.testing.v1.Ping')).toBe('SERVING');
    await lifecycle.shutdown('test');
    expect(await checkHealth(target)).toBe('UNREACHABLE');
  });
});
