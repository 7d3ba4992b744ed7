import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Deletes a run's topics (every topic starting with `prefix`) with the Kafka CLI of the infra
 * script, when the run used that Kafka: 54 partitions a run would otherwise pile up on the
 * developer's broker. Best effort: resolves false when the CLI is not there or fails.
 */
export function deleteTopics(prefix: string, brokers: string, timeoutMs = 60_000): Promise<boolean> {
  const kafkaHome = path.join(process.env['INFRA_DIR'] ?? path.join(ROOT, '.infra'), 'kafka');
  const libs = path.join(kafkaHome, 'libs');
  if (!existsSync(libs) || !/^[A-Za-z0-9._-]+$/.test(prefix)) return Promise.resolve(false);
  const regex = `${prefix.replace(/[.]/g, '\\.')}.*`;
  return new Promise((resolve) => {
    const child = spawn(
      'java',
      [
        '-XX:-UsePerfData',
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        `-Dlog4j.configuration=file:${path.join(ROOT, 'scripts/infra.d/tools-log4j.properties')}`,
        '-cp',
        `${libs}/*`,
        'org.apache.kafka.tools.TopicCommand',
        '--bootstrap-server',
        brokers.split(',')[0]!,
        '--command-config',
        path.join(kafkaHome, 'admin.properties'),
        '--delete',
        '--if-exists',
        '--topic',
        regex,
      ],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', () => (clearTimeout(timer), resolve(false)));
    child.once('exit', (code) => (clearTimeout(timer), resolve(code === 0)));
  });
}
