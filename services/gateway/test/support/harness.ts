import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '@mealpeak/config';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import type { Redis } from '@mealpeak/redis';
import { buildApp } from '../../src/app.ts';
import { configSchema } from '../../src/config.ts';
import type { IdempotencyStore, Ports } from '../../src/app/ports.ts';
import type { Role } from '../../src/app/principal.ts';
import { issueToken } from '../../src/transport/http/auth.ts';
import { FakeDispatch } from './fake-dispatch.ts';
import { FakePositions } from './fake-positions.ts';
import { FakeBackend } from './fake-ports.ts';
import { MemoryIdempotencyStore } from './memory-idempotency-store.ts';

export interface Harness {
  readonly app: FastifyInstance;
  readonly backend: FakeBackend;
  readonly dispatch: FakeDispatch;
  readonly positions: FakePositions;
  readonly idempotency: IdempotencyStore;
  token(role: Role, sub: string, ttlSeconds?: number): string;
  /** inject() with a bearer token for (role, sub), or none when `as` is omitted. */
  call(options: InjectOptions & { as?: [Role, string] }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Real adapters instead of the fakes they replace (whose state is then unused). */
  ports?: Partial<Ports>;
  idempotency?: IdempotencyStore;
  rateLimitRedis?: Redis;
  logger?: Logger;
  pressureSampleIntervalMs?: number;
  /** Pins the pressure monitor's heap reading (with MAX_HEAP_USED_BYTES: a chosen pressure). */
  readHeapUsed?: () => number;
  isReady?: () => boolean;
  /** Extra routes for one test, added before the app is ready (the start-up hooks see them). */
  routes?: (app: FastifyInstance) => void;
}

/** The gateway with fake services behind it, driven through inject(). */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = loadConfig(configSchema, {
    NODE_ENV: 'test',
    // A busy CI machine (or building the app itself) must not look like overload: tests that are
    // about shedding set their own limits.
    MAX_EVENT_LOOP_UTILIZATION: '0',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...options.env,
  });
  const backend = new FakeBackend();
  const dispatch = new FakeDispatch();
  const positions = new FakePositions();
  const idempotency = options.idempotency ?? new MemoryIdempotencyStore();
  const app = await buildApp({
    config,
    logger: options.logger ?? createLogger({ service: 'gateway-test', level: 'silent' }),
    ports: {
      orders: backend.orderPort,
      merchants: backend.merchantPort,
      dispatch: dispatch.port,
      positions,
      ...options.ports,
    },
    idempotency,
    ...(options.rateLimitRedis ? { rateLimitRedis: options.rateLimitRedis } : {}),
    ...(options.pressureSampleIntervalMs
      ? { pressureSampleIntervalMs: options.pressureSampleIntervalMs }
      : {}),
    ...(options.isReady ? { isReady: options.isReady } : {}),
    ...(options.readHeapUsed ? { readHeapUsed: options.readHeapUsed } : {}),
    idempotencyPollIntervalMs: 10,
  });
  options.routes?.(app);
  await app.ready();
  const token = (role: Role, sub: string, ttlSeconds = 600) =>
    issueToken(app.jwt, { role, id: sub }, ttlSeconds).token;
  return {
    app,
    backend,
    dispatch,
    positions,
    idempotency,
    token,
    call: ({ as, headers, ...rest }) =>
      app.inject({
        ...rest,
        headers: { ...(as ? { authorization: `Bearer ${token(...as)}` } : {}), ...headers },
      }),
    close: () => app.close(),
  };
}
