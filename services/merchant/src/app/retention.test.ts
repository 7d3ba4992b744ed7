import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { seedFinishedWork } from './test-support/finished-work.ts';
import { createInMemoryStore, type InMemoryStore } from './test-support/in-memory-store.ts';
import {
  createTestClock,
  itemInput,
  merchantInput,
  testDeps,
  type TestClock,
} from './test-support/fixtures.ts';
import { createUseCases, type UseCases } from './use-cases.ts';

/** The production default (KITCHEN_RETENTION_HOURS): eight days. */
const RETENTION_HOURS = 192;

const DAY = 24 * 3_600_000;

describe('retention of finished work', () => {
  let store: InMemoryStore;
  let uc: UseCases;
  let clock: TestClock;

  beforeEach(async () => {
    clock = createTestClock();
    store = createInMemoryStore(() => clock.now());
    uc = createUseCases(testDeps(store, { clock }).deps);
    unwrap(await uc.upsertMerchant(merchantInput()));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 10 })));
    await seedFinishedWork(uc, store, ['released']);
  });

  const left = async () => ({
    reservations: (
      await Promise.all(
        ['cooking', 'ready', 'released', 'tentative'].map((id) => store.repo.getReservation(id)),
      )
    ).flatMap((r) => (r ? [r.orderId] : [])),
    kitchen: ['cooking', 'ready'].filter((id) => store.kitchenOrder(id)),
  });

  it('keeps everything within the retention', async () => {
    clock.advance(7 * DAY);
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(0);
    expect(await left()).toEqual({
      reservations: ['cooking', 'ready', 'released', 'tentative'],
      kitchen: ['cooking', 'ready'],
    });
  });

  it('then forgets finished orders, but not one still cooking nor a tentative reservation', async () => {
    clock.advance(9 * DAY);
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(3); // the ready kitchen row, two reservations
    expect(await left()).toEqual({ reservations: ['cooking', 'tentative'], kitchen: ['cooking'] });
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(0);
  });

  it('forgets the request id of a stock change after the window: a repeat then changes again', async () => {
    const restock = { merchantId: 'm1', itemId: 'burger', add: 5, requestId: 'r-1' };
    const first = unwrap(await uc.setStock(restock)).stock;
    clock.advance(7 * DAY);
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(0);
    expect(unwrap(await uc.setStock(restock)).stock).toBe(first);
    clock.advance(2 * DAY);
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(4); // three as below, and the stock change
    expect(unwrap(await uc.setStock(restock)).stock).toBe(first + 5);
  });

  it('deletes at most `limit` rows per call, so a backlog drains in batches', async () => {
    clock.advance(9 * DAY);
    expect(await uc.purgeFinished(RETENTION_HOURS, 2)).toBe(2);
    expect(await uc.purgeFinished(RETENTION_HOURS, 2)).toBe(1);
  });

  it('counts from the last change: a row touched recently stays', async () => {
    clock.advance(9 * DAY);
    await store.repo.saveKitchenOrder({ orderId: 'ready', merchantId: 'm1', state: 'dropped', version: 4 });
    // The two finished reservations go; the kitchen row changed a moment ago stays.
    expect(await uc.purgeFinished(RETENTION_HOURS, 100)).toBe(2);
    expect(await left()).toEqual({ reservations: ['cooking', 'tentative'], kitchen: ['cooking', 'ready'] });
  });
});
