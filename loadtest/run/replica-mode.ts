/**
 * The replica mode: N replicas of each service as separate processes (libs/stack) against real
 * PostgreSQL, Redis and Kafka, with the demo city seeded. gRPC clients balance over the replicas
 * (round robin over every replica's port), Kafka consumer groups share the partitions, gateway
 * replicas share one HTTP port (SO_REUSEPORT), so any request may land on any replica.
 * Used by `pnpm replicas` (scripts/replicas.ts) and by the load-test runner.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropDatabase, ensureDatabase } from '@mealpeak/db';
import { isRunning, startStack, type Replica, type ServiceName, type Stack } from '@mealpeak/stack';
import { applyLoadProfile, seedDemoMerchants, seedDemoRiders, type DemoRiderFleet } from './demo-city.ts';

export interface Servers {
  pgUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
}

export interface ReplicaModeOptions {
  servers: Servers;
  /** Replicas of every service. */
  replicas: number;
  /** Fixed gateway port; default a free one. */
  gatewayPort?: number;
  /** Database on the PostgreSQL server of `servers.pgUrl`, created when missing. */
  database: string;
  /** Drop and create the database first. */
  freshDatabase: boolean;
  /** Drop the database on stop (load tests: every run starts empty and leaves nothing). */
  dropDatabaseOnStop: boolean;
  /** KAFKA_TOPIC_PREFIX (also prefixes consumer groups) and REDIS_KEY_PREFIX of every process. */
  topicPrefix: string;
  redisKeyPrefix: string;
  /** Demo riders put online through gRPC and kept visible; 0 for none (load tests bring their own). */
  riders: number;
  /** Reshape the demo city for load (demo-city.ts LOAD_PROFILE). */
  loadProfile: boolean;
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  logDir: string;
  /** Restart a replica that exits by itself, with back-off, as a Kubernetes Deployment would. */
  restartCrashed: boolean;
  log: (line: string) => void;
}

export interface ReplicaMode {
  readonly gatewayUrl: string;
  readonly databaseUrl: string;
  readonly stack: Stack;
  /** One line per replica: service, index, pid, ports. */
  describe(): string[];
  /** Stops every process (SIGTERM, SIGKILL after `graceMs`), then drops the database if asked. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to every process still running (a second Ctrl-C): stop() then ends at once. */
  force(): void;
}

export const SERVICES: readonly ServiceName[] = ['merchant', 'order', 'rider-dispatch', 'gateway'];

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

// A frozen replica (--chaos-freeze, SIGSTOP) is running: the supervisor leaves it alone (libs/stack signals.ts).
const running = (r: Replica) => isRunning(r.process);

export async function startReplicaMode(o: ReplicaModeOptions): Promise<ReplicaMode> {
  // SO_REUSEPORT would let us share the port with a forgotten gateway and split the traffic.
  if (o.gatewayPort !== undefined && (await portAnswers(o.gatewayPort)))
    throw new Error(
      `port ${o.gatewayPort} is in use (another pnpm start / pnpm replicas?): pick --gateway-port`,
    );
  const databaseUrl = await ensureDatabase(o.servers.pgUrl, o.database, o.freshDatabase);
  o.log(`database ${o.database}${o.freshDatabase ? ' (fresh)' : ''}`);
  o.log(await seedDemoMerchants(databaseUrl));

  const replicas = Object.fromEntries(SERVICES.map((s) => [s, o.replicas])) as Record<ServiceName, number>;
  // The services call each other with a shared secret, as in a cluster (GRPC_INTERNAL_TOKEN): one
  // per run unless given, so every load test and the CI smoke go through the check.
  const internalToken =
    o.env?.['GRPC_INTERNAL_TOKEN'] ??
    process.env['GRPC_INTERNAL_TOKEN'] ??
    randomBytes(24).toString('base64url');
  o.log(`starting ${o.replicas} replica(s) of ${SERVICES.join(', ')} (logs in ${o.logDir})`);
  let stack: Stack;
  try {
    stack = await startStack({
      pgUrl: databaseUrl,
      redisUrl: o.servers.redisUrl,
      kafkaBrokers: o.servers.kafkaBrokers,
      topicPrefix: o.topicPrefix,
      replicas,
      ...(o.gatewayPort !== undefined ? { gatewayPort: o.gatewayPort } : {}),
      logDir: o.logDir,
      telemetry: true,
      startTimeoutMs: 90_000,
      env: { REDIS_KEY_PREFIX: o.redisKeyPrefix, GRPC_INTERNAL_TOKEN: internalToken, ...o.env },
      ...(o.serviceEnv ? { serviceEnv: o.serviceEnv } : {}),
    });
  } catch (error) {
    if (o.dropDatabaseOnStop) await dropDatabase(o.servers.pgUrl, o.database).catch(() => undefined);
    throw error;
  }

  let stopping = false;
  let stopped: Promise<void> | undefined;
  let fleet: DemoRiderFleet | undefined;
  // A second call (Ctrl-C, then the runner's own cleanup) waits for the first stop to finish:
  // returning early let the runner exit before the last replicas had even been signalled.
  const stop = (graceMs = 30_000) => (stopped ??= stopEverything(graceMs));
  const stopEverything = async (graceMs: number) => {
    stopping = true;
    fleet?.stop();
    const killer = setTimeout(() => {
      for (const r of stack.replicas) if (running(r)) r.process.kill('SIGKILL');
    }, graceMs);
    try {
      await stack.stop();
    } finally {
      clearTimeout(killer);
    }
    if (o.dropDatabaseOnStop) await dropDatabase(o.servers.pgUrl, o.database);
  };

  try {
    if (o.loadProfile) {
      const p = await applyLoadProfile(stack.target('merchant'), undefined, internalToken);
      o.log(`load profile: ${p.merchants} merchants open around the clock, ${p.items} dishes restocked`);
    }
    if (o.riders > 0) {
      fleet = await seedDemoRiders(stack.target('rider-dispatch'), o.riders, {
        onError: o.log,
        internalToken,
      });
      o.log(`${fleet.online} demo riders online around Berlin Mitte (pinging every 15 s)`);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  if (o.restartCrashed) void supervise(stack, () => stopping, o.log);

  return {
    gatewayUrl: stack.gatewayUrl!,
    databaseUrl,
    stack,
    describe: () =>
      stack.replicas.map(
        (r) =>
          `${`${r.service}-${r.index}`.padEnd(18)} pid ${String(r.process.pid ?? '-').padEnd(8)}` +
          `${r.grpcPort ? `gRPC 127.0.0.1:${r.grpcPort}`.padEnd(22) : `HTTP ${stack.gatewayUrl}`.padEnd(22)}` +
          `  ops http://127.0.0.1:${r.opsPort} (/readyz /metrics)`,
      ),
    stop,
    force: () => {
      for (const r of stack.replicas) if (running(r)) r.process.kill('SIGKILL');
    },
  };
}

/** Restarts replicas that exited on their own: 1 s, then doubling up to 30 s while they keep dying. */
async function supervise(stack: Stack, stopping: () => boolean, log: (line: string) => void): Promise<void> {
  const backoff = new Map<Replica, number>();
  while (!stopping()) {
    await sleep(1_000);
    for (const r of stack.replicas) {
      if (stopping() || running(r)) continue;
      const wait = backoff.get(r) ?? 1_000;
      log(`${r.service}-${r.index} exited (${r.process.exitCode ?? r.process.signalCode}); restarting`);
      await sleep(wait);
      if (stopping()) return;
      try {
        await stack.restart(r.service, r.index);
        log(`${r.service}-${r.index} ready again (pid ${r.process.pid})`);
        backoff.delete(r);
      } catch (error) {
        backoff.set(r, Math.min(wait * 2, 30_000));
        log(`${r.service}-${r.index} failed to restart: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
}
