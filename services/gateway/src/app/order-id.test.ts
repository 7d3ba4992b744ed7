import { describe, expect, it } from 'vitest';
import { orderIdFor } from './order-id.ts';

describe('orderIdFor', () => {
  it('is a stable UUIDv5 of customer and key, different for any other pair', () => {
    const id = orderIdFor('c-1', 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orderIdFor('c-1', 'key-1')).toBe(id);
    expect(orderIdFor('c-2', 'key-1')).not.toBe(id);
    expect(orderIdFor('c-1', 'key-2')).not.toBe(id);
  });

  it('cannot be made to collide through a colon in the subject', () => {
    expect(orderIdFor('c-1:x', 'y')).not.toBe(orderIdFor('c-1', 'x:y'));
    expect(orderIdFor('c\\', ':y')).not.toBe(orderIdFor('c\\:', 'y'));
    // Ordinary subjects keep the ids issued before (replays of old keys still find their order).
    expect(orderIdFor('c-1', 'key-1')).toBe('05b9070a-f903-5918-a387-48b87d6a27bf');
  });
});
