/** A relay in its own process, for the failover test: `node relay-process.ts` (env: PG_URL, KAFKA_BROKERS, SCHEMA). */
import { createKafka, createProducer } from '@mealpeak/kafka';
import { createLogger } from '@mealpeak/telemetry';
import { createOutboxRelay } from '../src/index.ts';

const logger = createLogger({ service: 'relay-proc', level: 'warn' });
const kafka = createKafka({
  brokers: process.env['KAFKA_BROKERS']!.split(','),
  clientId: 'relay-proc',
  logger,
});
const producer = createProducer(kafka, 'relay-proc');
await producer.connect();
const relay = createOutboxRelay({
  url: process.env['PG_URL']!,
  schema: process.env['SCHEMA']!,
  partitions: 4,
  producer,
  // The test's other relays' name: relays count each other by it (relayApplicationName).
  producerName: 'order',
  logger,
  pollIntervalMs: 100,
});
await relay.start();
const deadline = Date.now() + 10_000;
while (relay.owned().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
process.stdout.write(`owns ${relay.owned().join(',')}\n`);
