import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT_RANGE, canBind, freePort } from './ports.ts';

describe('freePort', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('hands out bindable ports below the ephemeral range', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(PORT_RANGE.low);
      expect(port).toBeLessThan(PORT_RANGE.high);
      expect(await canBind(port)).toBe(true);
    }
  });

  it('skips a port that is taken', async () => {
    const taken = await freePort();
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(taken, '127.0.0.1', r));
    expect(await canBind(taken)).toBe(false);
    // The first draw lands on the taken port, the second on the next one.
    const draws = [taken, taken + 1].map(
      (p) => (p - PORT_RANGE.low + 0.5) / (PORT_RANGE.high - PORT_RANGE.low),
    );
    const port = await freePort(() => draws.shift() ?? 0.5);
    expect(port).not.toBe(taken);
    expect(draws).toEqual([]); // it drew twice: the taken port was tried and refused
  });

  it('never hands out the same port twice, even while it is still unbound', async () => {
    const draw = ((await freePort()) - PORT_RANGE.low + 0.5) / (PORT_RANGE.high - PORT_RANGE.low);
    // Nothing listens on the first port yet; a second draw landing on it must move on.
    const draws = [draw, draw, 0.25];
    const second = await freePort(() => draws.shift() ?? 0.75);
    expect(draws.length).toBeLessThan(2); // the repeated draw was tried and refused
    expect(second).not.toBe(PORT_RANGE.low + Math.floor(draw * (PORT_RANGE.high - PORT_RANGE.low)));
  });
});
