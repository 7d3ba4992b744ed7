import type { EventBus } from '@mealpeak/kafka';
import type { Redis } from '@mealpeak/redis';
import type { PositionReader, PositionWriter } from '@mealpeak/rider-positions';

/**
 * The infrastructure a service is handed. main.ts connects the real servers; the single-process
 * local run (`pnpm start` with nothing configured) hands every service the same in-process
 * stand-ins instead. Services never decide this themselves.
 */
export interface Infra {
  /** Kafka, or the in-memory bus of the local run. */
  readonly bus: EventBus;
  /** Real Redis; undefined in the local run, where services use in-memory stand-ins. */
  readonly redis: Redis | undefined;
  /** The live rider-position index (Redis, or one shared in-memory index in the local run). */
  readonly positions: { readonly writer: PositionWriter; readonly reader: PositionReader } | undefined;
}
