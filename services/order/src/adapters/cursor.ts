import type { Order } from '../domain/order.ts';

/**
 * Opaque page token: the (placed_at, id) of the last order of the page, and whether the list runs
 * oldest first, base64url JSON.
 */
export const encodeCursor = (o: Order, oldestFirst = false): string =>
  Buffer.from(
    JSON.stringify({ p: o.placedAt.toISOString(), i: o.id, ...(oldestFirst ? { o: 1 } : {}) }),
  ).toString('base64url');

export function decodeCursor(
  token: string,
): { placedAt: Date; id: string; oldestFirst: boolean } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      p?: unknown;
      i?: unknown;
      o?: unknown;
    };
    if (typeof v.p !== 'string' || typeof v.i !== 'string') return undefined;
    const placedAt = new Date(v.p);
    return Number.isNaN(placedAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(v.i)
      ? undefined
      : { placedAt, id: v.i, oldestFirst: v.o === 1 };
  } catch {
    return undefined;
  }
}
