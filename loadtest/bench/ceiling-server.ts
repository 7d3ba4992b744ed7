/**
 * The ceilings the order pipeline is compared with, served by the same runtime and framework:
 *   node ceiling-server.ts constant                 fastify answering a constant JSON body
 *   node ceiling-server.ts insert <pg-url>          fastify doing one INSERT per request through pg
 * and the pipeline's skeleton, three processes shaped like gateway -> order -> merchant with no
 * business logic: the same fastify, the same gRPC helpers (@mealpeak/grpc: deadlines, metrics
 * interceptor, health) and the same PlaceOrder contract, and one INSERT at the end:
 *   node ceiling-server.ts skeleton-leaf <pg-url>   gRPC PlaceOrder doing one INSERT
 *   node ceiling-server.ts skeleton-relay <target>  gRPC PlaceOrder forwarding to <target>
 *   node ceiling-server.ts skeleton-front <target>  fastify POST /v1/orders calling <target>
 * Each prints `listening <port>`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { ok, type CodedError, type Result } from '@mealpeak/core';
import {
  Order,
  OrderServiceClient,
  OrderServiceService,
  OrderState,
  type PlaceOrderRequest,
  type PlaceOrderResponse,
} from '@mealpeak/contracts/order.v1';
import { call, createGrpcClient, createGrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';

const [mode, arg] = process.argv.slice(2);
const logger = createLogger({ service: `ceiling-${mode ?? ''}`, level: 'warn' });
const placeOrderOnly = { placeOrder: OrderServiceService.placeOrder };
const listening = (port: number) => process.stdout.write(`listening ${port}\n`);

const insertStatement = (pool: pg.Pool) =>
  pool.query(
    `CREATE TABLE IF NOT EXISTS ceiling_orders (id bigserial PRIMARY KEY, customer text NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );

async function grpcServer(
  placeOrder: (req: PlaceOrderRequest) => Promise<Result<PlaceOrderResponse, CodedError>>,
): Promise<void> {
  const server = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
  server.add(placeOrderOnly, { placeOrder: (req) => placeOrder(req) });
  await server.start();
  listening(server.port);
}

async function serveHttp(app: FastifyInstance): Promise<void> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  listening(typeof address === 'object' && address ? address.port : 0);
}

const orderClient = (target: string) =>
  createGrpcClient(OrderServiceClient, placeOrderOnly, {
    target,
    defaultDeadlineMs: 5_000,
    idempotent: ['placeOrder'],
  });

switch (mode) {
  case 'skeleton-leaf': {
    const pool = new pg.Pool({ connectionString: arg, max: 20 });
    await insertStatement(pool);
    await grpcServer(async (req) => {
      const { rows } = await pool.query<{ created_at: Date }>(
        'INSERT INTO ceiling_orders (customer, body) VALUES ($1, $2) RETURNING created_at',
        [req.customerId, JSON.stringify(req)],
      );
      return ok({
        order: Order.fromPartial({
          id: req.orderId,
          customerId: req.customerId,
          merchantId: req.merchantId,
          state: OrderState.ORDER_STATE_PLACED,
          lines: req.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
          dropoff: req.dropoff,
          dropoffAddress: req.dropoffAddress,
          placedAt: rows[0]?.created_at,
        }),
      });
    });
    break;
  }
  case 'skeleton-relay': {
    const client = orderClient(arg!);
    await grpcServer((req) => call(client.placeOrder.bind(client), req, {}));
    break;
  }
  case 'skeleton-front': {
    const client = orderClient(arg!);
    const app = Fastify({ logger: false });
    app.post('/v1/orders', async (req, reply) => {
      const body = req.body as Omit<PlaceOrderRequest, 'orderId' | 'customerId'>;
      const placed = await call(
        client.placeOrder.bind(client),
        { ...body, orderId: randomUUID(), customerId: 'c' },
        {},
      );
      return placed.ok
        ? reply.code(201).send(Order.toJSON(placed.value.order ?? Order.fromPartial({})))
        : reply.code(503).send({ code: placed.error.code });
    });
    await serveHttp(app);
    break;
  }
  case 'insert': {
    const pool = new pg.Pool({ connectionString: arg, max: 20 });
    await insertStatement(pool);
    const app = Fastify({ logger: false });
    app.post('/v1/orders', async (req, reply) => {
      const { rows } = await pool.query<{ id: string }>(
        'INSERT INTO ceiling_orders (customer, body) VALUES ($1, $2) RETURNING id',
        ['c', JSON.stringify(req.body)],
      );
      return reply.code(201).send({ id: rows[0]?.id });
    });
    await serveHttp(app);
    break;
  }
  default: {
    const app = Fastify({ logger: false });
    app.post('/v1/orders', async (_req, reply) => reply.code(201).send({ id: 'constant', state: 'PLACED' }));
    await serveHttp(app);
  }
}
