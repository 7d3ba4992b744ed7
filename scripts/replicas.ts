/**
 * `pnpm replicas`: the replica mode. N replicas of every service as separate processes against the
 * infra script's PostgreSQL, Redis and Kafka (started by scripts/replicas.sh when needed), with the
 * demo city seeded; runs until Ctrl-C. See docs/loadtesting.md#replica-mode.
 *
 *   pnpm replicas [--replicas 2] [--gateway-port 8080] [--riders 50] [--fresh] [--profile demo|load]
 *                 [--database mealpeak_replicas] [--no-restart]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startReplicaMode } from '../loadtest/run/replica-mode.ts';
import { loadTestServiceEnv } from '../loadtest/run/stack-env.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '2' },
    'gateway-port': { type: 'string', default: '8080' },
    riders: { type: 'string', default: '50' },
    database: { type: 'string', default: 'mealpeak_replicas' },
    fresh: { type: 'boolean', default: false },
    profile: { type: 'string', default: 'demo' },
    'no-restart': { type: 'boolean', default: false },
  },
});

const int = (name: 'replicas' | 'gateway-port' | 'riders', min: number, max: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got ${values[name]}`);
    process.exit(64);
  }
  return n;
};
const need = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    console.error(
      `${name} is not set: run through \`pnpm replicas\` (it starts the infra) or eval "$(scripts/infra env)"`,
    );
    process.exit(64);
  }
  return v;
};
if (values.profile !== 'demo' && values.profile !== 'load') {
  console.error(`--profile must be demo or load, got ${values.profile}`);
  process.exit(64);
}
const loadProfile = values.profile === 'load';

const log = (line: string) => console.log(`[replicas] ${line}`);
const mode = await startReplicaMode({
  servers: { pgUrl: need('PG_URL'), redisUrl: need('REDIS_URL'), kafkaBrokers: need('KAFKA_BROKERS') },
  replicas: int('replicas', 1, 16),
  gatewayPort: int('gateway-port', 1, 65_535),
  database: values.database,
  freshDatabase: values.fresh,
  dropDatabaseOnStop: false,
  topicPrefix: 'replicas.',
  redisKeyPrefix: 'replicas:',
  riders: int('riders', 0, 10_000),
  loadProfile,
  // The load profile also gets the load tests' settings (rate limits, fast dispatch rounds), so k6
  // can be pointed at this mode with BASE_URL exactly as the runner does.
  ...(loadProfile ? { serviceEnv: loadTestServiceEnv() } : {}),
  // `pnpm demo` signs in ~80 users at once through the dev-token endpoint (30 a minute by default).
  env: { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE_DEV_TOKENS: '1000' },
  logDir: mkdtempSync(path.join(tmpdir(), 'mealpeak-replicas-')),
  restartCrashed: !values['no-restart'],
  log,
});

console.log(`\nmealpeak replica mode is up: gateway ${mode.gatewayUrl} (try ${mode.gatewayUrl}/docs)\n`);
for (const line of mode.describe()) console.log(`  ${line}`);
console.log(
  `\nKill a replica to watch the others carry on: kill -9 <pid> (it is restarted, as Kubernetes would).` +
    `\nDemo traffic: pnpm demo --base-url ${mode.gatewayUrl}. Ctrl-C stops everything.\n`,
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping every replica`);
  mode.stop().then(
    () => {
      log('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
