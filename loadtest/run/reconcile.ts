/**
 * The business check after a run: what the load test was told (the k6 ledger: one line per
 * session that tried to order) against what the platform holds (the database, or the API).
 *
 * - lost: a 201 for an order the platform does not have;
 * - doubled: a customer with more orders than it placed (each session is a new customer with one
 *   Idempotency-Key; order ids are UUIDv5(customer, key), so a retry can never make a second one);
 * - stuck: an order of the run still in a non-terminal state after the drain.
 * Orders the platform holds without the client having seen its 201 (a timeout, then success on
 * the server) are counted as `unacknowledged`: allowed, but worth knowing.
 */
import { readFile } from 'node:fs/promises';

export interface LedgerEntry {
  /** Customer id, Idempotency-Key, final status (0: no answer), order id of a 201, attempts. */
  c: string;
  k: string;
  s: number;
  id: string | null;
  n: number;
}

export interface PlatformOrder {
  id: string;
  customerId: string;
  state: string;
}

export const TERMINAL = new Set(['DELIVERED', 'REJECTED', 'CANCELLED']);

export interface Reconciliation {
  sessions: number;
  acknowledged: number;
  found: number;
  lost: string[];
  doubled: string[];
  stuck: PlatformOrder[];
  unacknowledged: number;
  byState: Record<string, number>;
}

export async function readLedger(path: string): Promise<LedgerEntry[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"ev":"order"')) continue;
    try {
      entries.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // a line cut short by an aborted run
    }
  }
  return entries;
}

export function reconcile(ledger: readonly LedgerEntry[], orders: readonly PlatformOrder[]): Reconciliation {
  const acknowledged = new Map<string, LedgerEntry>();
  const keysByCustomer = new Map<string, Set<string>>();
  for (const e of ledger) {
    if (e.s === 201 && e.id) acknowledged.set(e.id, e);
    const keys = keysByCustomer.get(e.c) ?? new Set<string>();
    keys.add(e.k);
    keysByCustomer.set(e.c, keys);
  }
  const ours = orders.filter((o) => keysByCustomer.has(o.customerId));
  const held = new Map(ours.map((o) => [o.id, o]));
  const perCustomer = new Map<string, PlatformOrder[]>();
  for (const o of ours) perCustomer.set(o.customerId, [...(perCustomer.get(o.customerId) ?? []), o]);

  const doubled: string[] = [];
  for (const [customer, list] of perCustomer) {
    const allowed = keysByCustomer.get(customer)?.size ?? 0;
    // The extra orders, preferring to name those the client never heard of.
    if (list.length > allowed)
      doubled.push(
        ...list
          .sort((a, b) => Number(acknowledged.has(a.id)) - Number(acknowledged.has(b.id)))
          .slice(0, list.length - allowed)
          .map((o) => o.id),
      );
  }
  const byState: Record<string, number> = {};
  for (const o of ours) byState[o.state] = (byState[o.state] ?? 0) + 1;
  return {
    sessions: ledger.length,
    acknowledged: acknowledged.size,
    found: [...acknowledged.keys()].filter((id) => held.has(id)).length,
    lost: [...acknowledged.keys()].filter((id) => !held.has(id)),
    doubled,
    stuck: ours.filter((o) => !TERMINAL.has(o.state)),
    unacknowledged: ours.filter((o) => !acknowledged.has(o.id)).length,
    byState,
  };
}
