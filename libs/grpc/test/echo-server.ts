/**
 * A real gRPC server process for the library's cross-process tests: `node echo-server.ts`.
 * Prints `listening <port>` once serving; exits 0 after a graceful shutdown on SIGTERM.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { codedError, err, ok } from '@mealpeak/core';
import { EchoServiceService } from '@mealpeak/contracts/testing.v1';
import { createLifecycle } from '@mealpeak/runtime';
import { createLogger } from '@mealpeak/telemetry';
import { createGrpcServer } from '../src/index.ts';

const logger = createLogger({ service: 'echo-test', level: process.env['LOG_LEVEL'] ?? 'warn' });
const lifecycle = createLifecycle({
  logger,
  timeoutMs: 10_000,
  drainDelayMs: Number(process.env['ECHO_DRAIN_DELAY_MS'] ?? 0),
});
const internalToken = process.env['ECHO_INTERNAL_TOKEN'];
const previousInternalToken = process.env['ECHO_PREVIOUS_INTERNAL_TOKEN'];
const server = createGrpcServer({
  logger,
  host: '127.0.0.1',
  port: 0,
  ...(internalToken ? { internalToken } : {}),
  ...(previousInternalToken ? { previousInternalToken } : {}),
});
const flakySeen = new Set<string>();

server.add(EchoServiceService, {
  echo: async (req) => {
    // For the tests that must know whether a call was run at all.
    if (process.env['ECHO_LOG_CALLS']) process.stdout.write(`handled ${req.message}\n`);
    if (req.delayMs > 0) await sleep(req.delayMs);
    if (req.failWithCode === 'FLAKY') {
      if (flakySeen.has(req.message)) return ok({ message: req.message, servedBy: String(process.pid) });
      flakySeen.add(req.message);
      return err(codedError('unavailable', 'TRY_AGAIN', 'first attempt fails'));
    }
    // Thrown, not returned: a database that went away (its SQLSTATE), and a plain bug.
    if (req.failWithCode === 'THROW_DB_DOWN')
      throw Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
    if (req.failWithCode === 'THROW_BUG')
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    if (req.failWithCode)
      return err(
        codedError('exhausted', req.failWithCode, 'asked to fail', [{ field: 'message', message: 'bad' }]),
      );
    return ok({ message: req.message, servedBy: String(process.pid) });
  },
});

lifecycle.onShutdown('grpc', () => server.shutdown(8_000));
lifecycle.onReadinessLost(() => server.stopServing());
lifecycle.installSignalHandlers();
await server.start();
lifecycle.setReady(true);
process.stdout.write(`listening ${server.port}\n`);
