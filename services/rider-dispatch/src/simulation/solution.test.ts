import { describe, expect, it } from 'vitest';
import { parseMdrpInstance } from './mdrp-instance.ts';
import { readSolution, writeSolution, type MdrpSolution } from './solution.ts';
import { tinyTexts } from './test-fixtures.ts';

const solution: MdrpSolution = {
  assignments: [{ assignmentTime: 0, pickupTime: 10, courierId: 'c1', orderIds: ['o1', 'o2'] }],
  orders: [
    { orderId: 'o1', placementTime: 0, readyTime: 10, pickupTime: 10, dropoffTime: 24, courierId: 'c1' },
    { orderId: 'o2', placementTime: 5, readyTime: 20, pickupTime: 10, dropoffTime: 30.5, courierId: 'c1' },
  ],
  moves: [{ courierId: 'c1', departureTime: 0, origin: '0', destination: 'r1' }],
};

describe('solution files', () => {
  it('round-trip through text', () => {
    expect(readSolution(writeSolution(solution))).toEqual({ ok: true, value: solution });
  });

  it('read the orders file by its header names, whatever the column order', () => {
    const texts = writeSolution(solution);
    const orders = 'courier dropoff_time order pickup_time ready_time placement_time\nc1 24 o1 10 10 0\n';
    const read = readSolution({ ...texts, orders });
    expect(read.ok && read.value.orders).toEqual([solution.orders[0]]);
  });

  it('report a missing column or a bad number as a value', () => {
    const texts = writeSolution(solution);
    expect(readSolution({ ...texts, orders: 'order courier\no1 c1\n' })).toMatchObject({
      ok: false,
      error: { code: 'SOLUTION_PARSE_ERROR' },
    });
    expect(readSolution({ ...texts, assignments: 'h\nzero 10 c1 o1\n' })).toMatchObject({ ok: false });
  });
});

describe('parseMdrpInstance', () => {
  it('reads the four tab-separated files', () => {
    const parsed = parseMdrpInstance('tiny', tinyTexts);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.params).toEqual({
      metersPerMinute: 100,
      pickupServiceMinutes: 4,
      dropoffServiceMinutes: 4,
      targetClickToDoor: 40,
      maxClickToDoor: 90,
      payPerOrder: 10,
      payPerHour: 15,
    });
    expect(parsed.value.orders[1]).toEqual({
      id: 'o2',
      x: 0,
      y: 500,
      placementTime: 5,
      restaurantId: 'r1',
      readyTime: 20,
    });
    expect(parsed.value.couriers).toEqual([{ id: 'c1', x: 300, y: 0, onTime: 0, offTime: 60 }]);
  });

  it('returns the file and line of a problem instead of throwing', () => {
    const orders = 'order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t1000\t0\t0\tr9\t10\n';
    expect(parseMdrpInstance('bad', { ...tinyTexts, orders })).toEqual({
      ok: false,
      error: {
        code: 'MDRP_PARSE_ERROR',
        file: 'orders.txt',
        line: 2,
        message: 'orders.txt:2: unknown restaurant r9',
      },
    });
    const couriers = 'courier\tx\ty\ton_time\toff_time\nc1\t300\t0\tsoon\t60\n';
    expect(parseMdrpInstance('bad', { ...tinyTexts, couriers })).toMatchObject({
      ok: false,
      error: { line: 2 },
    });
  });
});
