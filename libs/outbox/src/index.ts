export {
  createOutbox,
  type Outbox,
  type OutboxEvent,
  type OutboxInsert,
  type OutboxSettings,
} from './enqueue.ts';
export { createOutboxRelay, relayApplicationName, type OutboxRelay, type RelaySettings } from './relay.ts';
export { startOutboxStats, type OutboxStats, type OutboxStatsSettings } from './stats.ts';
export { claimEvent, purgeClaims } from './inbox.ts';
export { partitionOf, fnv1a } from './partition.ts';
