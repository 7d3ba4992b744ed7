import type { Order } from '../domain/order.ts';

/** Opaque page token: the (placed_at, id) of the last order of the page, base64url JSON. */
export const encodeCursor = (o: Order): string =>
  Buffer.from(JSON.stringify({ p: o.placedAt.toISOString(), i: o.id })).toString('base64url');

export function decodeCursor(token: string): { placedAt: Date; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; i?: unknown };
    if (typeof v.p !== 'string' || typeof v.i !== 'string') return undefined;
    const placedAt = new Date(v.p);
    return Number.isNaN(placedAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(v.i)
      ? undefined
      : { placedAt, id: v.i };
  } catch {
    return undefined;
  }
}
