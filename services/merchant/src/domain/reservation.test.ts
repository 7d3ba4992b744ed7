import { describe, expect, it } from 'vitest';
import {
  inLockOrder,
  MAX_LINES,
  priceLines,
  sameRequest,
  stockExhausted,
  sweepDecision,
  type LineInput,
} from './reservation.ts';
import { MAX_FIELD_ERRORS } from './errors.ts';
import type { MenuItem, OrderState } from './types.ts';

const item = (id: string, over: Partial<MenuItem> = {}): MenuItem => ({
  id,
  merchantId: 'm1',
  name: `Item ${id}`,
  description: '',
  priceMinor: 850,
  currency: 'EUR',
  stock: 10,
  available: true,
  ...over,
});

const menu = new Map(
  [
    item('burger', { priceMinor: 1190 }),
    item('fries', { priceMinor: 390 }),
    item('shake', { available: false }),
    item('sushi', { merchantId: 'm2' }),
    item('pound-cake', { currency: 'GBP' }),
  ].map((i) => [i.id, i]),
);

const price = (lines: LineInput[]) => priceLines('m1', 'EUR', lines, menu);

describe('pricing a reservation', () => {
  it('prices lines from the menu, never from the caller, and totals them', () => {
    expect(
      price([
        { itemId: 'burger', quantity: 2 },
        { itemId: 'fries', quantity: 1 },
      ]),
    ).toEqual({
      ok: true,
      value: {
        lines: [
          { itemId: 'burger', name: 'Item burger', quantity: 2, unitPriceMinor: 1190, lineTotalMinor: 2380 },
          { itemId: 'fries', name: 'Item fries', quantity: 1, unitPriceMinor: 390, lineTotalMinor: 390 },
        ],
        totalMinor: 2770,
        currency: 'EUR',
      },
    });
  });

  it.each<[string, LineInput[], string, string[]]>([
    ['no lines', [], 'INVALID_ARGUMENT', ['lines']],
    ['quantity 0', [{ itemId: 'burger', quantity: 0 }], 'INVALID_ARGUMENT', ['lines[0].quantity']],
    ['quantity too large', [{ itemId: 'burger', quantity: 1000 }], 'INVALID_ARGUMENT', ['lines[0].quantity']],
    ['fractional quantity', [{ itemId: 'burger', quantity: 1.5 }], 'INVALID_ARGUMENT', ['lines[0].quantity']],
    ['empty item id', [{ itemId: ' ', quantity: 1 }], 'INVALID_ARGUMENT', ['lines[0].item_id']],
    [
      'the same item twice',
      [
        { itemId: 'burger', quantity: 1 },
        { itemId: 'burger', quantity: 2 },
      ],
      'INVALID_ARGUMENT',
      ['lines[1].item_id'],
    ],
    ['unknown item', [{ itemId: 'pizza', quantity: 1 }], 'ITEM_NOT_FOUND', ['lines[0].item_id']],
    ["another merchant's item", [{ itemId: 'sushi', quantity: 1 }], 'ITEM_NOT_FOUND', ['lines[0].item_id']],
    ['unavailable item', [{ itemId: 'shake', quantity: 1 }], 'ITEM_UNAVAILABLE', ['lines[0].item_id']],
    [
      'item in another currency',
      [{ itemId: 'pound-cake', quantity: 1 }],
      'CURRENCY_MISMATCH',
      ['lines[0].item_id'],
    ],
  ])('refuses %s', (_name, lines, code, fields) => {
    const result = price(lines);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.fields?.map((f) => f.field)).toEqual(fields);
    }
  });

  it('reports every bad line at once, shape problems first', () => {
    const result = price([
      { itemId: 'pizza', quantity: 0 },
      { itemId: 'burger', quantity: 1 },
      { itemId: 'sushi', quantity: -1 },
    ]);
    expect(!result.ok && result.error.fields?.map((f) => f.field)).toEqual([
      'lines[0].quantity',
      'lines[2].quantity',
    ]);
    const missing = price([
      { itemId: 'pizza', quantity: 1 },
      { itemId: 'burger', quantity: 1 },
      { itemId: 'sushi', quantity: 1 },
    ]);
    expect(!missing.ok && missing.error.fields?.map((f) => f.field)).toEqual([
      'lines[0].item_id',
      'lines[2].item_id',
    ]);
  });

  it('names the first unknown item and counts the rest, with a bounded list of fields', () => {
    const lines = Array.from({ length: MAX_LINES }, (_, i) => ({
      itemId: `x${i}`.padEnd(64, 'y'),
      quantity: 1,
    }));
    const result = price(lines);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('ITEM_NOT_FOUND');
    expect(result.error.message).toBe(
      `item ${lines[0]!.itemId} is not on this menu, nor are ${MAX_LINES - 1} more of the order's items`,
    );
    expect(result.error.fields).toHaveLength(MAX_FIELD_ERRORS);
    expect(result.error.fields?.[1]).toEqual({ field: 'lines[1].item_id', message: 'is not on this menu' });
    // Was ~8 KB: every id twice (message and field).
    expect(JSON.stringify(result.error).length).toBeLessThan(1_000);
  });

  it('caps the number of lines', () => {
    const lines = Array.from({ length: MAX_LINES + 1 }, (_, i) => ({ itemId: `i${i}`, quantity: 1 }));
    expect(!price(lines).ok).toBe(true);
  });

  it('names exhausted lines by their quantity field, kind exhausted', () => {
    expect(stockExhausted([0, 2])).toMatchObject({
      kind: 'exhausted',
      code: 'STOCK_EXHAUSTED',
      fields: [{ field: 'lines[0].quantity' }, { field: 'lines[2].quantity' }],
    });
  });
});

describe('repeated reservations and the sweeper', () => {
  it('recognises the same request regardless of line order', () => {
    const reserved = {
      merchantId: 'm1',
      lines: [
        { itemId: 'a', quantity: 1 },
        { itemId: 'b', quantity: 2 },
      ],
    };
    expect(
      sameRequest(reserved, 'm1', [
        { itemId: 'b', quantity: 2 },
        { itemId: 'a', quantity: 1 },
      ]),
    ).toBe(true);
    expect(sameRequest(reserved, 'm2', reserved.lines)).toBe(false);
    expect(sameRequest(reserved, 'm1', [{ itemId: 'a', quantity: 1 }])).toBe(false);
    expect(
      sameRequest(reserved, 'm1', [
        { itemId: 'a', quantity: 1 },
        { itemId: 'b', quantity: 3 },
      ]),
    ).toBe(false);
  });

  it.each<[OrderState | undefined, 'confirm' | 'release']>([
    [undefined, 'release'],
    ['REJECTED', 'release'],
    ['CANCELLED', 'release'],
    ['PLACED', 'confirm'],
    ['ACCEPTED', 'confirm'],
    ['DELIVERED', 'confirm'],
  ])('sweeps a reservation whose order is %s: %s', (state, decision) => {
    expect(sweepDecision(state ? { state } : undefined)).toBe(decision);
  });

  it('orders lines by item id for locking', () => {
    expect(inLockOrder([{ itemId: 'c' }, { itemId: 'a' }, { itemId: 'b' }]).map((l) => l.itemId)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});
