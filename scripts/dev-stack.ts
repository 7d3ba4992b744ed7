/**
 * Runs the four services as child processes with their default ports, waits until each reports
 * ready, prints where to look, and stops them all on Ctrl-C (SIGTERM each, then wait).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';

interface ServiceSpec {
  name: string;
  dir: string;
  opsPort: number;
  show: string;
}

const root = path.resolve(import.meta.dirname, '..');
const services: ServiceSpec[] = [
  { name: 'order', dir: 'services/order', opsPort: 9461, show: 'gRPC 127.0.0.1:50051' },
  { name: 'merchant', dir: 'services/merchant', opsPort: 9462, show: 'gRPC 127.0.0.1:50052' },
  { name: 'rider-dispatch', dir: 'services/rider-dispatch', opsPort: 9463, show: 'gRPC 127.0.0.1:50053' },
  { name: 'gateway', dir: 'services/gateway', opsPort: 9460, show: 'HTTP http://127.0.0.1:8080' },
];

const children = new Map<string, ChildProcess>();
let stopping = false;

function start(spec: ServiceSpec): void {
  const child = spawn(process.execPath, ['--import', '@mealpeak/telemetry/register', 'src/main.ts'], {
    cwd: path.join(root, spec.dir),
    env: { ...process.env, OTEL_SERVICE_NAME: spec.name },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.set(spec.name, child);
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    if (!stopping) {
      console.error(`${spec.name} exited (${code ?? signal}); stopping the stack`);
      void stop(1);
    }
  });
}

async function ready(spec: ServiceSpec, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(`http://127.0.0.1:${spec.opsPort}/readyz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

async function stop(code: number): Promise<never> {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = Date.now() + 25_000;
  while (children.size > 0 && Date.now() < deadline) await sleep(100);
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

for (const spec of services) start(spec);
const results = await Promise.all(services.map(async (s) => [s, await ready(s)] as const));
console.log('\nmealpeak is up:');
for (const [spec, ok] of results) {
  console.log(
    `  ${spec.name.padEnd(15)} ${ok ? 'ready    ' : 'NOT READY'} ${spec.show.padEnd(28)} health/metrics http://127.0.0.1:${spec.opsPort}/readyz /metrics`,
  );
}
console.log('\nCtrl-C stops everything.\n');
if (results.some(([, ok]) => !ok)) await stop(1);
