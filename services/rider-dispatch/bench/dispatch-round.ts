// Round-latency benchmark of the optimizing strategy on synthetic city-sized snapshots (seeded, so every
// run sees the same cities). Prints a growth table, then the headline line for 1,000 orders / 2,000 riders.
//   pnpm bench:dispatch [--rounds <n>] [--seed <n>]
import {
  createGreedyStrategy,
  createOptimizingStrategy,
  createSpeedTravelModel,
  dispatchParams,
  type DispatchSnapshot,
  type DispatchStrategy,
  type OrderSnapshot,
  type Point,
  type RiderSnapshot,
} from '../src/domain/dispatch/index.ts';

const MINUTE = 60;
const CITY_METRES = 16_000;

/** mulberry32: tiny, fast, good enough to scatter a synthetic city. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 16 km city: restaurants in a few dense districts plus a scatter, popularity skewed (a few places
 * get many orders), drop-offs within ~4 km, riders spread over the city with 40% busy finishing a
 * delivery in the next 25 minutes. Sized like a peak round in one large zone.
 */
function syntheticSnapshot(orders: number, riders: number, seed: number): DispatchSnapshot {
  const rand = prng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const clamp = (v: number): number => Math.min(CITY_METRES, Math.max(0, v));
  const districts = Array.from({ length: 6 }, () => ({ x: 2000 + rand() * 12000, y: 2000 + rand() * 12000 }));
  const around = (c: Point, spread: number): Point => ({
    x: clamp(c.x + gauss() * spread),
    y: clamp(c.y + gauss() * spread),
  });
  const restaurantCount = Math.max(20, Math.round(orders * 0.6));
  const restaurants = Array.from({ length: restaurantCount }, () =>
    rand() < 0.7
      ? around(districts[Math.floor(rand() * districts.length)]!, 1500)
      : { x: rand() * CITY_METRES, y: rand() * CITY_METRES },
  );
  const now = 12 * 60 * MINUTE;
  const orderList: OrderSnapshot[] = Array.from({ length: orders }, (_, i) => {
    const r = Math.floor(restaurantCount * rand() ** 2); // skewed popularity
    const pickup = restaurants[r]!;
    const placedAt = now - Math.floor(rand() * 20) * MINUTE;
    const readyAt = placedAt + (5 + Math.floor(rand() * 25)) * MINUTE;
    return {
      id: `o${i}`,
      restaurantId: `r${r}`,
      pickup,
      dropoff: around(pickup, 2000),
      placedAt,
      readyAt,
      promisedBy: placedAt + 40 * MINUTE,
    };
  });
  const riderList: RiderSnapshot[] = Array.from({ length: riders }, (_, i) => ({
    id: `c${i}`,
    position:
      rand() < 0.6
        ? around(districts[Math.floor(rand() * districts.length)]!, 2500)
        : { x: rand() * CITY_METRES, y: rand() * CITY_METRES },
    availableAt:
      rand() < 0.4 ? now + Math.floor(rand() * 25) * MINUTE : now - Math.floor(rand() * 10) * MINUTE,
    shiftEndsAt: now + (30 + Math.floor(rand() * 210)) * MINUTE,
  }));
  return { now, orders: orderList, riders: riderList };
}

function medianRoundMs(
  strategy: DispatchStrategy,
  snapshot: DispatchSnapshot,
  rounds: number,
): { ms: number; assigned: number } {
  const params = dispatchParams({ travel: createSpeedTravelModel(5) });
  let assigned = 0;
  for (let i = 0; i < 3; i++) assigned = strategy.decide(snapshot, params).assignments.length; // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    strategy.decide(snapshot, params);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, assigned };
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rounds = flag('rounds', 9);
  const seed = flag('seed', 42);
  const optimizing = createOptimizingStrategy();
  const greedy = createGreedyStrategy();
  console.log('orders riders optimized_ms greedy_ms committed');
  let headline = '';
  for (const orders of [100, 500, 1000, 2000, 5000]) {
    const snapshot = syntheticSnapshot(orders, orders * 2, seed + orders);
    const o = medianRoundMs(optimizing, snapshot, rounds);
    const g = medianRoundMs(greedy, snapshot, rounds);
    console.log(
      `${String(orders).padStart(6)} ${String(orders * 2).padStart(6)} ${o.ms.toFixed(1).padStart(12)} ${g.ms.toFixed(1).padStart(9)} ${String(o.assigned).padStart(9)}`,
    );
    if (orders === 1000) headline = `orders=1000 riders=2000 round_ms=${Math.round(o.ms)}`;
  }
  console.log(headline);
}

main();
