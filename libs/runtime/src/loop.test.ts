import { describe, expect, it } from 'vitest';
import { createLogger } from '@mealpeak/telemetry';
import { drain, startLoop } from './loop.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startLoop', () => {
  it('never runs two steps at once, survives a failing step, and stop() waits for the step in hand', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let finished = 0;
    const loop = startLoop(
      'test',
      1,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await sleep(5);
        active--;
        finished++;
        if (runs === 1) throw new Error('first run fails');
      },
      logger,
    );
    while (runs < 3) await sleep(1);
    await loop.stop();
    expect(maxActive).toBe(1);
    expect(finished).toBe(runs);
    const after = runs;
    await sleep(20);
    expect(runs).toBe(after);
  });

  it('waits firstRunAfterMs before the first run', async () => {
    let runs = 0;
    const loop = startLoop('later', 1, async () => void runs++, logger, 60_000);
    await sleep(20);
    await loop.stop();
    expect(runs).toBe(0);
  });
});

describe('drain', () => {
  it('repeats the sweep while it returns a full batch', async () => {
    const batches = [10, 10, 3, 10];
    const sweep = drain(async (limit) => {
      expect(limit).toBe(10);
      return batches.shift() ?? 0;
    }, 10);
    await sweep();
    expect(batches).toEqual([10]);
  });
});
