import { createPool, type Pool } from '../src/index.ts';

/** Pools on one test database, each for a schema, all closed together. */
export function testPools(url: () => string) {
  const pools: Pool[] = [];
  return {
    poolFor: (schema: string): Pool => {
      const p = createPool({
        url: url(),
        max: 4,
        schema,
        statementTimeoutMs: 2_000,
        applicationName: 'db-test',
      });
      pools.push(p);
      return p;
    },
    closeAll: () => Promise.all(pools.map((p) => p.end())),
  };
}
