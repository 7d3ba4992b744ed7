import type { Queryable } from '@mealpeak/db';
import { purgeClaims } from '@mealpeak/outbox';
import { drain, startLoop, type BootContext } from '@mealpeak/runtime';

export interface InboxConfig {
  readonly INBOX_RETENTION_HOURS: number;
  readonly INBOX_PURGE_INTERVAL_MS: number;
}

const BATCH = 1_000;

/**
 * Keeps the inbox (processed_events) from growing without end: every replica deletes claims
 * older than INBOX_RETENTION_HOURS every INBOX_PURGE_INTERVAL_MS, a thousand rows per statement
 * until none is left, so a backlog after a long outage goes in one tick without one huge delete.
 */
export function startInboxPurge(ctx: BootContext<InboxConfig>, db: Queryable): void {
  const { config, logger, lifecycle } = ctx;
  const retentionMs = config.INBOX_RETENTION_HOURS * 3_600_000;
  const loop = startLoop(
    'inbox purge',
    config.INBOX_PURGE_INTERVAL_MS,
    drain((limit) => purgeClaims(db, new Date(Date.now() - retentionMs), limit), BATCH),
    logger,
    // Not at start-up: a fleet restarting at once would all purge at the same moment.
    config.INBOX_PURGE_INTERVAL_MS * Math.random(),
  );
  lifecycle.onShutdown('inbox purge', () => loop.stop());
}
