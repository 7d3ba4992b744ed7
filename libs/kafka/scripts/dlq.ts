/**
 * Dead letters: list them, replay them to the topic they came from. Runs with a service's Kafka
 * settings from the environment (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX), from the repository
 * (`pnpm dlq ...`) or in any service's image (`node libs/kafka/scripts/dlq.ts ...`).
 *
 *   dlq list <topic> [--group G] [--json]
 *   dlq replay <topic> (--offset N[,N...] | --all) [--group G] [--dry-run]
 *
 * <topic> is the registry name (order.events.v1); its dead letters are in <topic>.dlq.
 */
import { parseArgs } from 'node:util';
import { loadConfig, env, z } from '@mealpeak/config';
import { createLogger } from '@mealpeak/telemetry';
import { createKafka, readDeadLetters, replayDeadLetters, type DeadLetter } from '../src/index.ts';

const USAGE = `usage: dlq list <topic> [--group G] [--json]
       dlq replay <topic> (--offset N[,N...] | --all) [--group G] [--dry-run]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      offset: { type: 'string' },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;
const [command, topicArg] = positionals;
if ((command !== 'list' && command !== 'replay') || !topicArg || positionals.length > 2) fail('');
if (command === 'replay' && values.all === (values.offset !== undefined))
  fail('replay needs either --offset or --all');
const offsets = values.offset?.split(',').map((o) => o.trim());
if (offsets?.some((o) => !/^\d+$/.test(o)))
  fail(`--offset wants dead-letter offsets, got "${values.offset}"`);

const config = loadConfig(z.object({ ...env.kafka, LOG_LEVEL: env.logLevel.default('warn') }));
const logger = createLogger({ service: 'dlq', level: config.LOG_LEVEL });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'mealpeak-dlq', logger });
const topic = `${config.KAFKA_TOPIC_PREFIX}${topicArg.replace(/\.dlq$/, '')}`;

const all = await readDeadLetters(kafka, topic).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
const chosen = all.filter(
  (l) =>
    (values.group === undefined || l.consumerGroup === values.group) &&
    (offsets === undefined || offsets.includes(l.offset)),
);

const line = (l: DeadLetter) =>
  [
    l.offset.padStart(6),
    l.failedAt || '-',
    l.consumerGroup || '-',
    l.eventType ?? '(undecodable)',
    l.eventId ?? '-',
    `${l.originalTopic}:${l.originalPartition}:${l.originalOffset}`,
    l.replayedFrom ? `(replay of ${l.replayedFrom}) ` + l.reason : l.reason,
  ].join('  ');

if (command === 'list') {
  if (values.json)
    for (const l of chosen)
      process.stdout.write(
        `${JSON.stringify({ ...l, key: l.key?.toString('utf8') ?? null, value: l.value?.toString('base64') ?? null, headers: Object.keys(l.headers) })}\n`,
      );
  else {
    process.stdout.write(
      `${chosen.length} dead letter(s) in ${topic}.dlq${values.group ? ` for ${values.group}` : ''}\n`,
    );
    for (const l of chosen) process.stdout.write(`${line(l)}\n`);
  }
} else {
  const missing = offsets?.filter((o) => !chosen.some((l) => l.offset === o)) ?? [];
  if (missing.length > 0) fail(`no dead letter at offset(s) ${missing.join(', ')} in ${topic}.dlq`);
  for (const l of chosen)
    process.stdout.write(`${values['dry-run'] ? 'would replay' : 'replaying'} ${line(l)}\n`);
  const sent = values['dry-run'] ? 0 : await replayDeadLetters(kafka, chosen);
  process.stdout.write(
    values['dry-run']
      ? `${chosen.length} dead letter(s) would be replayed to ${topic}\n`
      : `replayed ${sent} dead letter(s) to ${topic}; consumers that handled an event already skip it\n`,
  );
}
