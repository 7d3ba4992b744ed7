import { validateId } from '../domain/merchant-profile.ts';

/**
 * Opaque ListMerchants page tokens: the keyset position (distance, id) of the last merchant
 * returned, bound to the query it came from so a token cannot be replayed against another one.
 */
export interface PagePosition {
  readonly distanceM: number;
  readonly id: string;
}

export function encodePageToken(position: PagePosition, query: string): string {
  return Buffer.from(JSON.stringify({ d: position.distanceM, i: position.id, q: query })).toString(
    'base64url',
  );
}

/** undefined for an empty token; 'invalid' for one that is not ours or belongs to another query. */
export function decodePageToken(token: string, query: string): PagePosition | undefined | 'invalid' {
  if (token === '') return undefined;
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof raw !== 'object' || raw === null) return 'invalid';
    const { d, i, q } = raw as Record<string, unknown>;
    // The token comes from the client: its id goes into SQL, so it must be a merchant id (a NUL
    // there was a database error, a 500).
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || q !== query) return 'invalid';
    if (typeof i !== 'string' || validateId(i, 'page_token').length > 0) return 'invalid';
    return { distanceM: d, id: i };
  } catch {
    return 'invalid';
  }
}
