import { randomUUID } from 'node:crypto';
import { codedError, err } from '@mealpeak/core';
import type { Pool } from '@mealpeak/db';
import { createOutbox } from '@mealpeak/outbox';
import type { Logger } from '@mealpeak/telemetry';
import { createPgStore } from '../src/adapters/pg-store.ts';
import type { OrderService } from '../src/app/ports.ts';
import { createUseCases } from '../src/app/use-cases.ts';

/** The order service port for the scripts, which write merchants and menus and never orders. */
function noOrderService(script: string): OrderService {
  const away = async () => err(codedError('unavailable', 'NOT_CONNECTED', `${script} has no order service`));
  return { transition: away, getOrder: away };
}

/** The merchant use cases on a script's own pool (the seed, the address backfill). */
export function scriptUseCases(s: {
  pool: Pool;
  schema: string;
  outboxPartitions: number;
  logger: Logger;
  script: string;
}): ReturnType<typeof createUseCases> {
  return createUseCases({
    store: createPgStore({
      pool: s.pool,
      outbox: createOutbox({ schema: s.schema, partitions: s.outboxPartitions }),
    }),
    orders: noOrderService(s.script),
    clock: { now: () => new Date() },
    ids: { newId: () => randomUUID() },
    logger: s.logger,
    settings: { reservationTtlSeconds: 120, sweepRetryMs: 30_000 },
  });
}
