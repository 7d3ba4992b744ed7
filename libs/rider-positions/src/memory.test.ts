import { describe, expect, it } from 'vitest';
import { createMemoryPositions } from './memory.ts';

describe('in-memory position index (local run stand-in)', () => {
  it('keeps the newest fix, drops older ones, answers nearby queries, and forgets silent riders', async () => {
    let now = 1_000_000;
    const { writer, reader } = createMemoryPositions({ ttlMs: 60_000, now: () => now });
    expect(await writer.write({ riderId: 'r1', lat: 52.52, lng: 13.405, recordedAt: now })).toEqual({
      status: 'accepted',
    });
    expect(await writer.write({ riderId: 'r1', lat: 52.0, lng: 13.0, recordedAt: now - 1 })).toEqual({
      status: 'dropped_out_of_order',
    });
    expect((await writer.write({ riderId: 'r1', lat: 91, lng: 0, recordedAt: now + 1 })).status).toBe(
      'invalid',
    );
    expect(
      (await writer.write({ riderId: 'r3', lat: 52.5, lng: 13.4, recordedAt: now - 120_000 })).status,
    ).toBe('dropped_stale');
    await writer.write({ riderId: 'r2', lat: 52.53, lng: 13.405, recordedAt: now });
    await writer.write({ riderId: 'far', lat: 53.5, lng: 13.405, recordedAt: now });
    const near = await reader.nearby({ lat: 52.52, lng: 13.405 }, 5_000, 10);
    expect(near.map((r) => r.riderId)).toEqual(['r1', 'r2']);
    expect(near[1]!.distanceM).toBeGreaterThan(1_000);
    now += 61_000;
    expect(await reader.get('r1')).toBeUndefined();
    expect(await writer.purgeSilent()).toBe(3);
  });
});

describe('in-memory position index with the plausibility check', () => {
  it('enforce: a teleport is dropped and not read back; flag: it is read back and marked', async () => {
    const now = 1_000_000;
    const enforced = createMemoryPositions({ now: () => now, check: 'enforce' });
    await enforced.writer.write({ riderId: 'r1', lat: 52.52, lng: 13.405, recordedAt: now - 5_000 });
    expect(await enforced.writer.write({ riderId: 'r1', lat: 52.6, lng: 13.405, recordedAt: now })).toEqual({
      status: 'dropped_implausible',
    });
    expect((await enforced.reader.get('r1'))?.lat).toBe(52.52);
    const flagged = createMemoryPositions({ now: () => now, check: 'flag' });
    await flagged.writer.write({ riderId: 'r1', lat: 52.52, lng: 13.405, recordedAt: now - 5_000 });
    expect(await flagged.writer.write({ riderId: 'r1', lat: 52.6, lng: 13.405, recordedAt: now })).toEqual({
      status: 'accepted',
      jump: 'flagged',
    });
    expect((await flagged.reader.get('r1'))?.lat).toBe(52.6);
  });
});
