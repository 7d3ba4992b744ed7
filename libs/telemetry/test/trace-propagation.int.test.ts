import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { SpanKind } from '@opentelemetry/api';
import { ok } from '@mealpeak/core';
import { EchoServiceClient, EchoServiceService, TestEvent } from '@mealpeak/contracts/testing.v1';
import { call, createGrpcClient, createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import {
  createConsumer,
  createKafka,
  createProducer,
  defineEvent,
  deadLetterTopic,
  on,
  type EventConsumer,
  type EventProducer,
} from '@mealpeak/kafka';
import { createTestKafka, eventually, type TestKafka } from '@mealpeak/testing';
import { createLogger } from '../src/index.ts';
import { installInMemoryTracing, type InMemoryTracing } from '../src/testing.ts';

const testEvent = defineEvent('mealpeak.testing.v1.TestEvent', 1, TestEvent);

describe('one request, one trace: HTTP -> gRPC -> Kafka -> consumer', () => {
  let tracing: InMemoryTracing;
  let tk: TestKafka;
  let grpcServer: GrpcServer;
  let client: EchoServiceClient;
  let producer: EventProducer;
  let consumer: EventConsumer;
  let app: FastifyInstance;
  const consumed: string[] = [];
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    tracing = installInMemoryTracing();
    const logger = createLogger({
      service: 'trace-test',
      level: 'info',
      destination: { write: (l: string) => void logLines.push(JSON.parse(l) as Record<string, unknown>) },
    });
    tk = await createTestKafka();
    const topic = tk.topic('trace');
    await tk.createTopics([
      { name: topic, partitions: 1 },
      { name: deadLetterTopic(topic), partitions: 1 },
    ]);
    const kafka = createKafka({ brokers: tk.brokers, clientId: 'trace-test', logger });
    producer = createProducer(kafka, 'trace-test');
    await producer.connect();
    consumer = createConsumer(kafka, {
      groupId: `${topic}.g`,
      topics: [topic],
      logger,
      handlers: [
        on(testEvent, async (e) => {
          logger.info({ body: e.payload.body }, 'consumed');
          consumed.push(e.payload.body);
        }),
      ],
    });
    await consumer.start();

    grpcServer = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    grpcServer.add(EchoServiceService, {
      echo: async (req) => {
        await producer.publish(topic, [
          { type: testEvent, key: req.message, payload: { id: req.message, body: req.message } },
        ]);
        return ok({ message: req.message, servedBy: 'grpc' });
      },
    });
    await grpcServer.start();
    client = createGrpcClient(EchoServiceClient, EchoServiceService, {
      target: `127.0.0.1:${grpcServer.port}`,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });

    app = Fastify();
    await app.register(new FastifyOtelInstrumentation().plugin());
    app.get('/echo/:msg', async (req) => {
      const { msg } = req.params as { msg: string };
      const res = await call(client.echo.bind(client), { message: msg, delayMs: 0, failWithCode: '' });
      if (!res.ok) throw new Error(res.error.message);
      return res.value;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    client?.close();
    await grpcServer?.shutdown(1_000);
    await consumer?.stop();
    await producer?.disconnect();
    await tk?.cleanup();
    await tracing?.shutdown();
  });

  it('continues the caller trace through every hop, each span a child of the previous one', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { port } = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/echo/hello`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    await eventually(() => (consumed.includes('hello') ? true : undefined), 30_000, 'the consumer');

    const spans = await eventually(() => {
      const all = tracing.spans();
      return all.some((s) => s.kind === SpanKind.CONSUMER) ? all : undefined;
    });
    const byKind = (kind: SpanKind, name?: RegExp) =>
      spans.find((s) => s.kind === kind && (!name || name.test(s.name)));
    const httpServer = byKind(SpanKind.SERVER, /^(request|GET .*)$/);
    const grpcClient = byKind(SpanKind.CLIENT, /EchoService\/Echo/);
    const grpcServerSpan = byKind(SpanKind.SERVER, /EchoService\/Echo/);
    const kafkaProducer = byKind(SpanKind.PRODUCER);
    const kafkaConsumer = byKind(SpanKind.CONSUMER);
    for (const s of [httpServer, grpcClient, grpcServerSpan, kafkaProducer, kafkaConsumer]) {
      expect(s, 'every hop produced a span').toBeDefined();
      expect(s!.spanContext().traceId).toBe(traceId);
    }
    const parentOf = (s: NonNullable<typeof httpServer>) => s.parentSpanContext?.spanId;
    // The HTTP span continues the caller; fastify's handler span may sit between it and the gRPC client.
    expect(parentOf(httpServer!)).toBe('00f067aa0ba902b7');
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(ids.has(parentOf(grpcClient!)!)).toBe(true);
    expect(parentOf(grpcServerSpan!)).toBe(grpcClient!.spanContext().spanId);
    expect(parentOf(kafkaProducer!)).toBe(grpcServerSpan!.spanContext().spanId);
    expect(parentOf(kafkaConsumer!)).toBe(kafkaProducer!.spanContext().spanId);

    // The consumer's log line carries the same trace.
    const line = logLines.find((l) => l['msg'] === 'consumed');
    expect(line).toMatchObject({
      trace_id: traceId,
      span_id: kafkaConsumer!.spanContext().spanId,
      service: 'trace-test',
    });
  });
});
