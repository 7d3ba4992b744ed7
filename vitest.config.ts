import { defineConfig } from 'vitest/config';

// One runner for the whole workspace, two tiers by file name:
//   *.test.ts      unit and use-case tests: pure, in-memory fakes, no servers
//   *.int.test.ts  integration tests against real PostgreSQL, Redis and Kafka (see libs/testing)
//   scripts/platform/*.e2e.test.ts  the zero-setup `pnpm start` itself, as a child process
const sources = [
  'libs/*/src/**',
  'libs/*/test/**',
  'services/*/src/**',
  'services/*/test/**',
  'tools/**',
  'deploy/test',
  'loadtest/run',
  'loadtest/bench',
];
const exclude = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: sources.map((s) => `${s}/*.test.ts`),
          exclude: [...exclude, '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: sources.map((s) => `${s}/*.int.test.ts`),
          exclude,
          globalSetup: ['libs/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: files run two at a time; each gets its own database, key prefix and topics.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'platform',
          include: ['scripts/platform/*.e2e.test.ts'],
          exclude,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
