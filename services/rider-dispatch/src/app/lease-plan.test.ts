import { describe, expect, it } from 'vitest';
import { planLeases, shuffleWith } from './lease-plan.ts';

const keep = <T>(items: T[]): T[] => [...items];

describe('lease plan', () => {
  it('caps each replica at its fair share of the active zones', () => {
    const zones = ['a', 'b', 'c', 'd', 'e'];
    expect(planLeases({ held: [], active: zones, liveReplicas: 1 }, keep)).toEqual({
      release: [],
      candidates: zones,
      want: 5,
    });
    expect(planLeases({ held: [], active: zones, liveReplicas: 2 }, keep).want).toBe(3);
    expect(planLeases({ held: ['a', 'b'], active: zones, liveReplicas: 2 }, keep)).toEqual({
      release: [],
      candidates: ['c', 'd', 'e'],
      want: 1,
    });
  });

  it('gives back zones without work and the excess when replicas join', () => {
    const plan = planLeases(
      { held: ['a', 'b', 'c', 'gone'], active: ['a', 'b', 'c', 'd'], liveReplicas: 2 },
      keep,
    );
    expect(plan).toEqual({ release: ['gone', 'c'], candidates: ['d'], want: 0 });
  });

  it('treats a count of zero live replicas as one (our own heartbeat may have been missed)', () => {
    expect(planLeases({ held: [], active: ['a'], liveReplicas: 0 }, keep).want).toBe(1);
  });

  it('shuffles with the injected randomness, keeping every element', () => {
    const shuffle = shuffleWith(() => 0);
    expect(shuffle([1, 2, 3, 4])).toEqual([2, 3, 4, 1]);
    expect(shuffleWith(() => 0.999)([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });
});
