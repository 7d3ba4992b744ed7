import type { Queryable } from '@mealpeak/db';
import { purgeClaims } from '@mealpeak/outbox';
import { drain, startLoop, type BootContext } from '@mealpeak/runtime';

export interface InboxConfig {
  readonly INBOX_RETENTION_HOURS: number;
  readonly INBOX_PURGE_INTERVAL_MS: number;
}

const BATCH = 1_000;

/**
 * Runs a retention purge on this replica every INBOX_PURGE_INTERVAL_MS (ADR 0012): `purge(limit)`
 * deletes up to `limit` rows and says how many, and is repeated a thousand rows at a time until
 * none is left, so a backlog after a long outage goes in one tick without one huge delete. Stops
 * at shutdown.
 */
export function startPurgeLoop(
  ctx: BootContext<Pick<InboxConfig, 'INBOX_PURGE_INTERVAL_MS'>>,
  name: string,
  purge: (limit: number) => Promise<number>,
): void {
  const { config, logger, lifecycle } = ctx;
  const loop = startLoop(
    name,
    config.INBOX_PURGE_INTERVAL_MS,
    drain(purge, BATCH),
    logger,
    // Not at start-up: a fleet restarting at once would all purge at the same moment.
    config.INBOX_PURGE_INTERVAL_MS * Math.random(),
  );
  lifecycle.onShutdown(name, () => loop.stop());
}

/** Keeps the inbox (processed_events) from growing without end: claims older than INBOX_RETENTION_HOURS go. */
export function startInboxPurge(ctx: BootContext<InboxConfig>, db: Queryable): void {
  const retentionMs = ctx.config.INBOX_RETENTION_HOURS * 3_600_000;
  startPurgeLoop(ctx, 'inbox purge', (limit) => purgeClaims(db, new Date(Date.now() - retentionMs), limit));
}
