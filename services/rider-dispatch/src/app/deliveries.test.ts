import { describe, expect, it } from 'vitest';
import { at, createWorld } from '../../test/world.ts';

async function assigned() {
  const w = createWorld();
  await w.addOrder('o-1');
  await w.addRider('r-1', at(100));
  await w.runRound(w.zone);
  await w.useCases.respondToOffer('r-1', w.offerOf('r-1')!.offerId, true);
  return w;
}
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);
const ready = (w: Awaited<ReturnType<typeof assigned>>) =>
  w.useCases.applyOrderStateChanged('ev-ready', {
    ...w.store.orders.get('o-1')!,
    toState: 'READY_FOR_PICKUP',
    version: 3,
  });

describe('pickup and delivery', () => {
  it('refuses a pickup before the merchant marked the order ready, then publishes it once', async () => {
    const w = await assigned();
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ORDER_NOT_READY');
    await ready(w);
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ok');
    expect(w.store.published.filter((f) => f.kind === 'picked_up')).toHaveLength(1);
  });

  it('delivers only after pickup and makes the rider idle after the last drop-off', async () => {
    const w = await assigned();
    await ready(w);
    expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ORDER_NOT_PICKED_UP');
    await w.useCases.markPickedUp('r-1', 'o-1');
    expect(code(await w.useCases.markDelivered('r-1', 'o-1'))).toBe('ok');
    expect(w.store.riders.get('r-1')!.status).toBe('idle');
    expect(w.store.published.map((f) => f.kind)).toEqual(['rider_assigned', 'picked_up', 'delivered']);
  });

  it('refuses a rider who does not hold the order', async () => {
    const w = await assigned();
    await ready(w);
    expect(code(await w.useCases.markPickedUp('someone-else', 'o-1'))).toBe('ORDER_NOT_HELD');
    expect(code(await w.useCases.markPickedUp('r-1', 'unknown'))).toBe('ORDER_NOT_FOUND');
  });

  it('frees the rider when the order they carry is cancelled', async () => {
    const w = await assigned();
    await w.useCases.applyOrderStateChanged('ev-c', {
      ...w.store.orders.get('o-1')!,
      toState: 'CANCELLED',
      version: 4,
    });
    expect(w.store.riders.get('r-1')!.status).toBe('idle');
    expect(code(await w.useCases.markPickedUp('r-1', 'o-1'))).toBe('ORDER_CANCELLED');
  });
});
