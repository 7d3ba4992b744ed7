import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './ports.ts';
import { signalAndWait } from './signals.ts';
import { spawnTied } from './tied-spawn.ts';

export type ServiceName = 'order' | 'merchant' | 'rider-dispatch' | 'gateway';

export interface StackSettings {
  pgUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  /** KAFKA_TOPIC_PREFIX for every service (isolates tests and environments). */
  topicPrefix?: string;
  /** Replicas per service; a service with 0 (or absent from `services`) is not started. */
  replicas?: Partial<Record<ServiceName, number>>;
  services?: readonly ServiceName[];
  /** Extra environment for every process, then per service. */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Fixed gateway port (replicas share it with SO_REUSEPORT); default: a free one. */
  gatewayPort?: number;
  /** Each replica's log lines go to <logDir>/<service>-<n>.log; default: discarded. */
  logDir?: string;
  /** Load the OpenTelemetry register module (as production does). */
  telemetry?: boolean;
  /** Each service writes a V8 CPU profile into this folder when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
  startTimeoutMs?: number;
}

export interface Replica {
  readonly service: ServiceName;
  readonly index: number;
  readonly grpcPort: number | undefined;
  readonly opsPort: number;
  process: ChildProcess;
}

export interface Stack {
  readonly gatewayUrl: string | undefined;
  readonly replicas: readonly Replica[];
  /** gRPC target balancing over every replica of a service (grpc-js ipv4: list syntax). */
  target(service: Exclude<ServiceName, 'gateway'>): string;
  /**
   * Kills one replica (SIGKILL simulates a crash, SIGTERM a scale-in) and waits for it to exit;
   * a replica stopped with SIGSTOP is continued so that it can act on the signal.
   */
  kill(service: ServiceName, index: number, signal?: NodeJS.Signals): Promise<number | string>;
  /** Starts a killed replica again with the same ports and waits until it is ready. */
  restart(service: ServiceName, index: number): Promise<void>;
  /** SIGTERM everything, in reverse start order, and wait. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ORDER: ServiceName[] = ['merchant', 'order', 'rider-dispatch', 'gateway'];
/** Services run from their own folder, as `pnpm start` there would (module resolution for --import). */
const serviceDir = (s: ServiceName) => path.join(ROOT, 'services', s);

/**
 * Starts the platform as separate processes: ports are reserved up front (the order and merchant
 * services call each other), every service gets the others' replicas as a round-robin gRPC target,
 * gateway replicas share one HTTP port (SO_REUSEPORT), and start() resolves when all are ready.
 */
export async function startStack(settings: StackSettings): Promise<Stack> {
  const wanted = settings.services ?? ORDER;
  const count = (s: ServiceName) => (wanted.includes(s) ? (settings.replicas?.[s] ?? 1) : 0);
  const replicas: Replica[] = [];
  for (const service of ORDER) {
    for (let index = 0; index < count(service); index++) {
      replicas.push({
        service,
        index,
        grpcPort: service === 'gateway' ? undefined : await freePort(),
        opsPort: await freePort(),
        process: undefined as unknown as ChildProcess,
      });
    }
  }
  const gatewayPort = count('gateway') ? (settings.gatewayPort ?? (await freePort())) : undefined;
  const target = (service: Exclude<ServiceName, 'gateway'>): string => {
    const ports = replicas.filter((r) => r.service === service).map((r) => `127.0.0.1:${r.grpcPort}`);
    return ports.length ? `ipv4:${ports.join(',')}` : '127.0.0.1:1';
  };
  const logs: WriteStream[] = [];
  if (settings.logDir) mkdirSync(settings.logDir, { recursive: true });

  function envFor(r: Replica): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PG_URL: settings.pgUrl,
      REDIS_URL: settings.redisUrl,
      KAFKA_BROKERS: settings.kafkaBrokers,
      KAFKA_TOPIC_PREFIX: settings.topicPrefix ?? '',
      OTEL_SERVICE_NAME: r.service,
      REPLICA_ID: `${r.service}-${r.index}`,
      // Nothing of a test stack listens beyond this host (the gateway's HTTP_HOST below too).
      LISTEN_HOST: '127.0.0.1',
      OPS_PORT: String(r.opsPort),
      ...(r.grpcPort ? { GRPC_PORT: String(r.grpcPort) } : {}),
      ...(r.service === 'gateway'
        ? { HTTP_PORT: String(gatewayPort), HTTP_HOST: '127.0.0.1', HTTP_REUSE_PORT: 'true' }
        : {}),
      ORDER_GRPC_TARGET: target('order'),
      MERCHANT_GRPC_TARGET: target('merchant'),
      DISPATCH_GRPC_TARGET: target('rider-dispatch'),
      ...settings.env,
      ...settings.serviceEnv?.[r.service],
    };
  }

  async function launch(r: Replica): Promise<void> {
    const profileDir = settings.cpuProfileDir;
    const args = [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(settings.telemetry ? ['--import', '@mealpeak/telemetry/register'] : []),
      'src/main.ts',
    ];
    // Tied: a killed runner, benchmark or test worker leaves no replica behind (tied-spawn.ts).
    const child = spawnTied(process.execPath, args, {
      cwd: serviceDir(r.service),
      env: envFor(r),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    r.process = child;
    const log = settings.logDir
      ? createWriteStream(path.join(settings.logDir, `${r.service}-${r.index}.log`), { flags: 'a' })
      : undefined;
    if (log) logs.push(log);
    const tail: string[] = [];
    const onLine = (line: string) => {
      log?.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    // stdio is ['ignore', 'pipe', 'pipe']: both streams exist.
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = String(code ?? signal)));
    // Ready means what Kubernetes would see: the ops port answers /readyz with 200.
    const timeoutMs = settings.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const ready = (async () => {
      for (;;) {
        if (exited !== undefined)
          throw new Error(`${r.service}-${r.index} exited (${exited}) while starting:\n${tail.join('\n')}`);
        if (Date.now() > deadline)
          throw new Error(`${r.service}-${r.index} not ready within ${timeoutMs} ms:\n${tail.join('\n')}`);
        const ok = await fetch(`http://127.0.0.1:${r.opsPort}/readyz`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await ready;
  }

  const stack: Stack = {
    gatewayUrl: gatewayPort ? `http://127.0.0.1:${gatewayPort}` : undefined,
    replicas,
    target,
    async kill(service, index, signal = 'SIGKILL') {
      const r = replicas.find((x) => x.service === service && x.index === index);
      return r ? signalAndWait(r.process, signal) : 'not running';
    },
    async restart(service, index) {
      const r = replicas.find((x) => x.service === service && x.index === index);
      if (!r) throw new Error(`no replica ${service}-${index}`);
      await launch(r);
    },
    async stop() {
      for (const service of [...ORDER].reverse()) {
        await Promise.all(
          replicas.filter((r) => r.service === service).map((r) => stack.kill(service, r.index, 'SIGTERM')),
        );
      }
      for (const log of logs) log.end();
    },
  };

  try {
    // Merchant and order first (gateway and dispatch call them); replicas of one service in parallel.
    for (const service of ORDER) await Promise.all(replicas.filter((r) => r.service === service).map(launch));
  } catch (error) {
    for (const r of replicas) r.process?.kill('SIGKILL');
    throw error;
  }
  return stack;
}
