import { describe, expect, it } from 'vitest';
import { formBundles } from './bundling.ts';
import { order, testParams } from './test-support.ts';

const A = { x: 0, y: 0 };
const ids = (bundles: ReturnType<typeof formBundles>): string[][] =>
  bundles.map((b) => b.orders.map((o) => o.id));

describe('formBundles', () => {
  const params = testParams();
  const north = [
    order('o1', 'A', A, { x: 0, y: 1000 }, 0, 600),
    order('o2', 'A', A, { x: 0, y: 1100 }, 0, 660),
    order('o3', 'A', A, { x: 50, y: 1200 }, 0, 700),
  ];

  it('keeps orders apart when rider time is worth nothing', () => {
    expect(ids(formBundles(north, 0, 0, params))).toEqual([['o1'], ['o2'], ['o3']]);
  });

  it('merges when rider time is dear, delivering along the way', () => {
    expect(ids(formBundles(north, 4, 0, params))).toEqual([['o1', 'o2', 'o3']]);
  });

  it('merges orders to one door as soon as rider time is worth a little, but not orders far apart', () => {
    const sameDoor = [
      order('a', 'A', A, { x: 0, y: 800 }, 0, 600),
      order('b', 'A', A, { x: 0, y: 800 }, 0, 600),
    ];
    expect(formBundles(sameDoor, 0.2, 0, params)).toHaveLength(1);
    const opposite = [
      order('a', 'A', A, { x: 0, y: 800 }, 0, 600),
      order('b', 'A', A, { x: 0, y: -800 }, 0, 600),
    ];
    expect(formBundles(opposite, 0.2, 0, params)).toHaveLength(2);
  });

  it('respects the size cap and the ready-time spread', () => {
    expect(
      formBundles(north, 4, 0, testParams({ maxBundleSize: 2 })).every((b) => b.orders.length <= 2),
    ).toBe(true);
    const apart = [order('a', 'A', A, { x: 0, y: 800 }, 0, 0), order('b', 'A', A, { x: 0, y: 800 }, 0, 3000)];
    expect(formBundles(apart, 4, 0, testParams({ maxBundleReadySpreadSeconds: 1200 }))).toHaveLength(2);
  });
});
