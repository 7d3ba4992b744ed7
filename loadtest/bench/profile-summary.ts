/**
 * Where the CPU went: reads the V8 CPU profiles that `pnpm bench:orders --cpu-prof <dir>` wrote
 * (one per service) and prints each process's self time by package, busiest first.
 *
 *   node loadtest/bench/profile-summary.ts <dir> [--top 12]
 *
 * Native frames such as (writev) and (writeUtf8String) are socket writes: their time includes the
 * kernel's loopback TCP work for the bytes written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a frame's self time is counted in: an npm package, a workspace folder, or a native frame. */
export function bucketOf(frame: CallFrame): string {
  const pkg = /node_modules\/\.pnpm\/([^/]+)\//.exec(frame.url);
  if (pkg) return pkg[1]!.replace(/_.*$/, '');
  const workspace = /\/((?:libs|services)\/[^/]+\/[^/]+)\//.exec(frame.url);
  if (workspace) return workspace[1]!;
  if (frame.url.startsWith('node:')) return frame.url.split('/').slice(0, 3).join('/');
  return `(${frame.functionName || 'anonymous'})`;
}

export function summarise(profile: CpuProfile): {
  service: string;
  busyMs: number;
  buckets: [string, number][];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    if (!frame || frame.functionName === '(idle)') return;
    const bucket = bucketOf(frame);
    totals.set(bucket, (totals.get(bucket) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1_000);
  });
  const serviceUrl = profile.nodes.find((n) => n.callFrame.url.includes('/services/'))?.callFrame.url ?? '';
  const service = /\/services\/([^/]+)\//.exec(serviceUrl)?.[1] ?? 'unknown';
  const buckets = [...totals].sort((a, b) => b[1] - a[1]);
  return { service, busyMs: buckets.reduce((sum, [, ms]) => sum + ms, 0), buckets };
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '12' } },
  });
  const dir = positionals[0];
  if (!dir) {
    console.error('usage: node loadtest/bench/profile-summary.ts <dir-with-.cpuprofile-files> [--top 12]');
    process.exit(64);
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const s = summarise(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    console.log(`${s.service}: busy ${(s.busyMs / 1_000).toFixed(1)} s`);
    for (const [bucket, ms] of s.buckets.slice(0, Number(values.top)))
      console.log(
        `  ${(ms / 1_000).toFixed(2).padStart(6)} s  ${((100 * ms) / s.busyMs).toFixed(0).padStart(3)}%  ${bucket}`,
      );
  }
}
