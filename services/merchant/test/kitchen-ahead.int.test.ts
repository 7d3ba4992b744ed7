import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '@mealpeak/core';
import { pgKitchenRepo } from '../src/adapters/pg-kitchen.ts';
import { createFakeOrderService } from '../src/app/test-support/fake-order-service.ts';
import { itemInput, merchantInput } from '../src/app/test-support/fixtures.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

// The estimate sent with ACCEPT counts the work ahead of the order (docs/merchant.md, "Kitchen"):
// accepted orders and those filed as placed before it, never itself or orders placed after it.
describe('work ahead of an order on accept', () => {
  let mdb: MerchantDb;
  beforeAll(async () => {
    mdb = await createMerchantDb(4);
  });
  afterAll(async () => mdb?.close());

  it('counts accepted rows and placed rows filed before the order, within the age bounds', async () => {
    const kitchen = pgKitchenRepo(mdb.pool);
    const file = async (orderId: string, state: 'placed' | 'accepted', age: string) => {
      await kitchen.saveKitchenOrder({ orderId, merchantId: 'k1', state, version: 1 });
      await mdb.pool.query(
        `UPDATE kitchen_orders SET created_at = now() - $2::interval WHERE order_id = $1`,
        [orderId, age],
      );
    };
    await file('a-old', 'accepted', '7 hours'); // past ACCEPTED_COUNTS_FOR_MS
    await file('a1', 'accepted', '30 minutes');
    await file('p-old', 'placed', '2 hours'); // past PLACED_COUNTS_FOR_MS
    await file('p1', 'placed', '10 minutes');
    await file('p2', 'placed', '5 minutes');
    await file('p3', 'placed', '1 minute');
    // Filed at the same instant by two transactions: the order id breaks the tie.
    await file('p4a', 'placed', '30 seconds');
    await file('p4b', 'placed', '30 seconds');
    await file('x1', 'placed', '1 minute');
    await mdb.pool.query(`UPDATE kitchen_orders SET merchant_id = 'k2' WHERE order_id = 'x1'`);

    expect(await kitchen.countBacklog('k1', 100)).toBe(6);
    expect(await kitchen.countAhead('k1', 'p1', 100)).toBe(1); // a1
    expect(await kitchen.countAhead('k1', 'p2', 100)).toBe(2); // a1 p1
    expect(await kitchen.countAhead('k1', 'p3', 100)).toBe(3);
    expect(await kitchen.countAhead('k1', 'p4a', 100)).toBe(4);
    expect(await kitchen.countAhead('k1', 'p4b', 100)).toBe(5);
    expect(await kitchen.countAhead('k1', 'p3', 2)).toBe(2); // counting stops where nothing changes
    // Not filed yet (its PLACED event has not been applied): every counted order is ahead of it.
    expect(await kitchen.countAhead('k1', 'unfiled', 100)).toBe(6);
    // Accepted already (a retried accept): never counted ahead of itself.
    expect(await kitchen.countAhead('k1', 'a1', 100)).toBe(0);
  });

  it('queues the orders of one PLACED batch in event order, not by order id', async () => {
    const orders = createFakeOrderService();
    const { service } = mdb.service({ orders });
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ id: 'mb', autoPauseBacklog: 0, kitchenCapacity: 1 })));
    unwrap(await uc.upsertMenuItem(itemInput('dish', { merchantId: 'mb', stock: 100 })));
    // Placed first, but its id sorts last.
    const placed = ['ffffffff-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    for (const id of placed) {
      unwrap(
        await uc.reserveStock({ orderId: id, merchantId: 'mb', lines: [{ itemId: 'dish', quantity: 1 }] }),
      );
      orders.place(id, 'mb');
    }
    const outcomes = await uc.applyOrderEvents(
      placed.map((orderId, n) => ({
        eventId: `10000000-0000-4000-8000-00000000000${n + 1}`,
        snapshot: { orderId, merchantId: 'mb', state: 'PLACED', version: 1 },
        reason: '',
      })) as unknown as Parameters<typeof uc.applyOrderEvents>[0],
    );
    expect(outcomes).toEqual(['applied', 'applied']);
    const kitchen = pgKitchenRepo(mdb.pool);
    expect(await kitchen.countAhead('mb', placed[0]!, 100)).toBe(0);
    expect(await kitchen.countAhead('mb', placed[1]!, 100)).toBe(1);
    // The first placed is quoted the base time: no round for the order placed after it.
    unwrap(await uc.acceptOrder({ merchantId: 'mb', orderId: placed[0]! }));
    expect(orders.calls.map((c) => c.command)).toEqual([{ kind: 'accept', prepSeconds: 600 }]);
  });

  it('quotes the first of three filed orders the base time (capacity 2)', async () => {
    const orders = createFakeOrderService();
    const { service } = mdb.service({ orders });
    const uc = service.useCases;
    unwrap(await uc.upsertMerchant(merchantInput({ autoPauseBacklog: 0 })));
    unwrap(await uc.upsertMenuItem(itemInput('burger', { stock: 100 })));
    for (const [n, id] of ['o1', 'o2', 'o3'].entries()) {
      unwrap(
        await uc.reserveStock({ orderId: id, merchantId: 'm1', lines: [{ itemId: 'burger', quantity: 1 }] }),
      );
      orders.place(id, 'm1');
      await uc.applyOrderEvent({
        eventId: `00000000-0000-4000-8000-00000000000${n + 1}`,
        snapshot: { orderId: id, merchantId: 'm1', state: 'PLACED', version: 1 },
        reason: '',
      });
    }
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o1' }));
    unwrap(await uc.acceptOrder({ merchantId: 'm1', orderId: 'o3' })); // o1 accepted, o2 placed before
    expect(orders.calls.map((c) => c.command)).toEqual([
      { kind: 'accept', prepSeconds: 600 },
      { kind: 'accept', prepSeconds: 1200 },
    ]);
  });
});
