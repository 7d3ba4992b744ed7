import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codedError, err, ok } from '@mealpeak/core';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import {
  MerchantServiceClient,
  MerchantServiceService,
  MerchantStatus,
} from '@mealpeak/contracts/merchant.v1';
import { OrderCommand, OrderServiceService, OrderState } from '@mealpeak/contracts/order.v1';
import { call, createGrpcClient, createGrpcServer, type GrpcServer } from '@mealpeak/grpc';
import { createLogger } from '@mealpeak/telemetry';
import { createOrderServiceClient } from '../src/adapters/order-service-client.ts';
import { DEMO_CITY_CENTRE, demoItemId, demoMerchantId, seedDemoCity } from '../src/app/seed.ts';
import { createFakeOrderService } from '../src/app/test-support/fake-order-service.ts';
import { createMerchantDb, type MerchantDb } from './support.ts';

const logger = createLogger({ service: 'merchant-test', level: 'silent' });
const unimplemented = async () => err(codedError('unavailable', 'UNIMPLEMENTED', 'not in this fake'));

describe('MerchantService over gRPC, in process', () => {
  let mdb: MerchantDb;
  let merchantServer: GrpcServer;
  let orderServer: GrpcServer;
  let client: MerchantServiceClient;
  let orderClient: ReturnType<typeof createOrderServiceClient>;
  const orders = createFakeOrderService();
  const seenDeadlines: (Date | undefined)[] = [];
  const seenActors: unknown[] = [];

  beforeAll(async () => {
    mdb = await createMerchantDb(10);
    // A stand-in order service behind a real gRPC server, so the real client adapter is exercised.
    orderServer = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    orderServer.add(OrderServiceService, {
      transitionOrder: async (req, ctx) => {
        seenDeadlines.push(ctx.deadline);
        seenActors.push(req.actor);
        const merchantId = req.actor?.id ?? '';
        const command =
          req.command === OrderCommand.ORDER_COMMAND_ACCEPT
            ? ({ kind: 'accept', prepSeconds: req.prepSeconds } as const)
            : req.command === OrderCommand.ORDER_COMMAND_REJECT
              ? ({ kind: 'reject', reason: req.reason } as const)
              : ({ kind: 'mark_ready' } as const);
        const result = await orders.transition(req.orderId, merchantId, command, {});
        return result.ok ? ok({ order: result.value }) : result;
      },
      getOrder: async (req) => {
        const found = orders.orders.get(req.orderId);
        return found
          ? ok({ order: found })
          : err(codedError('not_found', 'ORDER_NOT_FOUND', 'no such order'));
      },
      placeOrder: unimplemented,
      listOrders: unimplemented,
      getOrderTimeline: unimplemented,
      countOrdersByState: unimplemented,
    });
    await orderServer.start();
    orderClient = createOrderServiceClient({ target: `127.0.0.1:${orderServer.port}`, deadlineMs: 2_000 });

    const { service } = mdb.service({ orders: orderClient });
    await seedDemoCity(service.useCases);
    merchantServer = createGrpcServer({ logger, host: '127.0.0.1', port: 0 });
    merchantServer.add(MerchantServiceService, service.grpc);
    await merchantServer.start();
    client = createGrpcClient(MerchantServiceClient, MerchantServiceService, {
      target: `127.0.0.1:${merchantServer.port}`,
      defaultDeadlineMs: 5_000,
      idempotent: [],
    });
  });
  afterAll(async () => {
    client?.close();
    orderClient?.close();
    await merchantServer?.shutdown(1_000);
    await orderServer?.shutdown(1_000);
    await mdb?.close();
  });

  it('lists the merchants near a point, nearest first, across pages', async () => {
    const ids: string[] = [];
    const distances: number[] = [];
    let pageToken = '';
    do {
      const page = await call(client.listMerchants.bind(client), {
        near: DEMO_CITY_CENTRE,
        radiusM: 3_000,
        openOnly: false,
        pageSize: 5,
        pageToken,
      });
      if (!page.ok) throw new Error(page.error.message);
      expect(page.value.merchants.length).toBeLessThanOrEqual(5);
      for (const m of page.value.merchants) {
        ids.push(m.merchant!.id);
        distances.push(m.distanceM);
      }
      pageToken = page.value.nextPageToken;
    } while (pageToken !== '');
    expect(new Set(ids).size).toBe(12);
    expect(distances).toEqual([...distances].sort((x, y) => x - y));
    expect(distances.at(-1)).toBeLessThanOrEqual(3_000);

    const close = await call(client.listMerchants.bind(client), {
      near: { lat: 52.5219, lng: 13.4132 }, // Alexanderplatz
      radiusM: 300,
      openOnly: true,
      pageSize: 10,
      pageToken: '',
    });
    expect(close.ok && close.value.merchants.map((m) => [m.merchant?.name, m.merchant?.status])).toEqual([
      ['Burger Alexanderplatz', MerchantStatus.MERCHANT_STATUS_OPEN],
    ]);
  });

  it('returns a merchant with its menu, and NOT_FOUND with our code for an unknown one', async () => {
    const got = await call(client.getMerchant.bind(client), { merchantId: demoMerchantId(1) });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.merchant).toMatchObject({
      name: 'Currywurst am Hackeschen Markt',
      address: 'Rosenthaler Straße 40, 10178 Berlin',
      timeZone: 'Europe/Berlin',
      kitchenCapacity: 8,
      autoPauseBacklog: 24,
      prepEstimateSeconds: 480,
    });
    expect(got.value.menu[0]).toMatchObject({ price: { currency: 'EUR' }, stock: 500, available: true });

    const missing = await call(client.getMerchant.bind(client), { merchantId: 'nobody' });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not_found', code: 'MERCHANT_NOT_FOUND' } });
  });

  it('reserves over the wire, and reports exhausted stock with the line that ran out', async () => {
    const merchantId = demoMerchantId(2);
    const reserved = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-o1',
      merchantId,
      lines: [{ itemId: demoItemId(2, 1), quantity: 2 }],
    });
    if (!reserved.ok) throw new Error(reserved.error.message);
    expect(reserved.value).toMatchObject({
      lines: [
        { itemId: demoItemId(2, 1), name: 'Döner Kebab', quantity: 2, lineTotal: { amountMinor: 1300 } },
      ],
      total: { amountMinor: 1300, currency: 'EUR' },
      location: { lat: 52.5255, lng: 13.388 },
      merchantName: 'Mitte Döner',
      pickupAddress: 'Oranienburger Straße 52, 10117 Berlin',
    });
    expect(reserved.value.reservedUntil).toBeInstanceOf(Date);

    const tooMany = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-o2',
      merchantId,
      lines: [
        { itemId: demoItemId(2, 2), quantity: 1 },
        { itemId: demoItemId(2, 1), quantity: 999 },
      ],
    });
    expect(tooMany).toMatchObject({
      ok: false,
      error: { kind: 'exhausted', code: 'STOCK_EXHAUSTED', fields: [{ field: 'lines[1].quantity' }] },
    });
  });

  it("accepts through the order service, with the caller's deadline passed on, and passes its errors through", async () => {
    const merchantId = demoMerchantId(3);
    const reserved = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-o3',
      merchantId,
      lines: [{ itemId: demoItemId(3, 1), quantity: 1 }],
    });
    expect(reserved.ok).toBe(true);
    orders.place('grpc-o3', merchantId);

    // Shorter than the client's own 2 s: the downstream call must inherit it, not use its own.
    const deadline = new Date(Date.now() + 1_500);
    seenDeadlines.length = 0;
    const accepted = await call(
      client.acceptOrder.bind(client),
      { merchantId, orderId: 'grpc-o3' },
      { parentDeadline: deadline },
    );
    expect(accepted.ok && accepted.value.order?.state).toBe(OrderState.ORDER_STATE_ACCEPTED);
    expect(accepted.ok && accepted.value.order?.version).toBe(2);
    expect(seenDeadlines[0]!.getTime()).toBeLessThan(deadline.getTime());

    const late = await call(client.rejectOrder.bind(client), {
      merchantId,
      orderId: 'grpc-o3',
      reason: 'TOO_BUSY',
    });
    expect(late).toMatchObject({ ok: false, error: { kind: 'conflict', code: 'ILLEGAL_TRANSITION' } });
    const notMine = await call(client.markOrderReady.bind(client), {
      merchantId: demoMerchantId(4),
      orderId: 'grpc-o3',
    });
    expect(notMine).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
  });

  it('rejects as the system when the platform decides (stock gone), as the merchant otherwise', async () => {
    seenActors.length = 0;
    await orderClient.transition(
      'grpc-any',
      'm-x',
      { kind: 'reject', reason: 'OUT_OF_STOCK', bySystem: true },
      {},
    );
    await orderClient.transition('grpc-any', 'm-x', { kind: 'reject', reason: 'TOO_BUSY' }, {});
    expect(seenActors).toEqual([
      { role: ActorRole.ACTOR_ROLE_SYSTEM, id: 'merchant-service' },
      { role: ActorRole.ACTOR_ROLE_MERCHANT, id: 'm-x' },
    ]);
  });

  it('keeps an item’s stock on keep_stock, and takes a stock of 0 as sold out otherwise', async () => {
    const merchantId = demoMerchantId(5);
    const itemId = demoItemId(5, 2);
    const edit = (stock: number, keepStock: boolean) =>
      call(client.upsertMenuItem.bind(client), {
        merchantId,
        itemId,
        replaceOnly: true,
        keepStock,
        name: 'Renamed dish',
        description: '',
        price: { amountMinor: 990, currency: 'EUR' },
        stock,
        available: true,
      });
    const set = await call(client.setStock.bind(client), { merchantId, itemId, stock: 7 });
    expect(set.ok).toBe(true);
    expect(await edit(0, true)).toMatchObject({
      ok: true,
      value: { item: { name: 'Renamed dish', stock: 7 } },
    });
    // An older gateway sends no keep_stock: 0 (not on the wire in proto3) still means sold out.
    expect(await edit(0, false)).toMatchObject({ ok: true, value: { item: { stock: 0 } } });
    const created = await call(client.upsertMenuItem.bind(client), {
      merchantId,
      itemId: '',
      replaceOnly: false,
      keepStock: true,
      name: 'New dish',
      description: '',
      price: { amountMinor: 990, currency: 'EUR' },
      stock: 0,
      available: true,
    });
    expect(created).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'stock' }] },
    });
  });

  it('changes stock relatively and conditionally, atomically, and refuses without a 500', async () => {
    const merchantId = demoMerchantId(6);
    const itemId = demoItemId(6, 1);
    const change = (
      req: { stock?: number; add?: number; expectedStock?: number; requestId?: string },
      merchant = merchantId,
    ) => call(client.changeStock.bind(client), { merchantId: merchant, itemId, ...req });
    expect(await call(client.setStock.bind(client), { merchantId, itemId, stock: 10 })).toMatchObject({
      ok: true,
    });
    // Restocks and spoilage at once compose: no write undoes another.
    const adds = [...Array.from({ length: 10 }, () => 1), ...Array.from({ length: 5 }, () => -1)];
    const results = await Promise.all(adds.map((add) => change({ add })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await mdb.stock(itemId)).toBe(15);
    expect(await change({ add: -16 })).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'STOCK_INSUFFICIENT', fields: [{ field: 'add' }] },
    });
    // Past the column's range: a refusal naming the field, not "integer out of range".
    expect(await change({ add: 2_147_483_647 })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', code: 'INVALID_ARGUMENT', fields: [{ field: 'add' }] },
    });
    expect(await change({ stock: 3, expectedStock: 10 })).toMatchObject({
      ok: false,
      error: {
        kind: 'conflict',
        code: 'STOCK_CHANGED',
        message: expect.stringContaining('the stock is 15 now'),
        fields: [{ field: 'expected_stock' }],
      },
    });
    expect(await mdb.stock(itemId)).toBe(15);
    expect(await change({ stock: 3, expectedStock: 15 })).toMatchObject({
      ok: true,
      value: { item: { stock: 3 } },
    });
    expect(await change({ stock: 4 })).toMatchObject({ ok: true, value: { item: { stock: 4 } } });
    // request_id makes the change idempotent (adr/0022); another change under it is refused.
    for (let i = 0; i < 2; i++)
      expect(await change({ add: 2, requestId: 'grpc-req-1' })).toMatchObject({
        ok: true,
        value: { item: { stock: 6 } },
      });
    expect(await mdb.stock(itemId)).toBe(6);
    expect(await change({ add: 3, requestId: 'grpc-req-1' })).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(await change({ stock: 4 })).toMatchObject({ ok: true, value: { item: { stock: 4 } } });
    expect(await change({})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', fields: [{ field: 'stock' }] },
    });
    expect(await change({ add: 1 }, demoMerchantId(7))).toMatchObject({
      ok: false,
      error: { code: 'ITEM_NOT_FOUND' },
    });
    expect(await change({ stock: 1, expectedStock: 4 }, demoMerchantId(7))).toMatchObject({
      ok: false,
      error: { code: 'ITEM_NOT_FOUND' },
    });
    expect(await mdb.stock(itemId)).toBe(4);
  });

  it('lets the merchant pause, and refuses the statuses the platform computes', async () => {
    const paused = await call(client.setMerchantStatus.bind(client), {
      merchantId: demoMerchantId(5),
      status: MerchantStatus.MERCHANT_STATUS_PAUSED,
    });
    expect(paused.ok && paused.value.merchant?.status).toBe(MerchantStatus.MERCHANT_STATUS_PAUSED);
    const { rows } = await mdb.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(rows[0]!.n).toBe(1);
    const refused = await call(client.setMerchantStatus.bind(client), {
      merchantId: demoMerchantId(5),
      status: MerchantStatus.MERCHANT_STATUS_AUTO_PAUSED,
    });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'INVALID_ARGUMENT' } });
  });

  it('keeps a delivery area: refuses a drop-off beyond it and lists the merchant only where it delivers', async () => {
    // In Hamburg, far from the demo city the other cases list.
    const at = { lat: 53.5511, lng: 9.9937 };
    const inside = { lat: 53.5511, lng: 10.0037 }; // ~660 m east
    const outside = { lat: 53.5511, lng: 10.0237 }; // ~1,980 m east
    const upsertRequest = (deliveryRadiusM: number) => ({
      merchantId: 'grpc-hamburg',
      name: 'Fischbrötchen am Hafen',
      location: at,
      timeZone: 'Europe/Berlin',
      openingHours: Array.from({ length: 7 }, (_, d) => ({
        dayOfWeek: d,
        openMinute: 0,
        closeMinute: 1440,
      })),
      kitchenCapacity: 4,
      autoPauseBacklog: 0,
      basePrepSeconds: 300,
      currency: 'EUR',
      deliveryRadiusM,
    });
    const upsert = (deliveryRadiusM: number) =>
      call(client.upsertMerchant.bind(client), upsertRequest(deliveryRadiusM));
    const addressed = await call(client.upsertMerchant.bind(client), {
      ...upsertRequest(0),
      address: 'Hafenstraße 1, 20359 Hamburg',
    });
    expect(addressed.ok && addressed.value.merchant?.address).toBe('Hafenstraße 1, 20359 Hamburg');
    // Without the field (a caller from before addresses) the stored address stays.
    const defaulted = await upsert(0);
    expect(defaulted.ok && defaulted.value.merchant?.deliveryRadiusM).toBe(5_000);
    expect(defaulted.ok && defaulted.value.merchant?.address).toBe('Hafenstraße 1, 20359 Hamburg');
    const merchant = await upsert(1_000);
    expect(merchant.ok && merchant.value.merchant?.deliveryRadiusM).toBe(1_000);
    const item = await call(client.upsertMenuItem.bind(client), {
      merchantId: 'grpc-hamburg',
      itemId: 'grpc-hamburg-matjes',
      replaceOnly: false,
      keepStock: false,
      name: 'Matjesbrötchen',
      description: '',
      price: { amountMinor: 450, currency: 'EUR' },
      stock: 10,
      available: true,
    });
    if (!item.ok) throw new Error(item.error.message);
    const line = [{ itemId: 'grpc-hamburg-matjes', quantity: 1 }];

    const far = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-far',
      merchantId: 'grpc-hamburg',
      lines: line,
      dropoff: outside,
    });
    expect(far).toMatchObject({
      ok: false,
      error: { kind: 'conflict', code: 'OUT_OF_DELIVERY_AREA', fields: [{ field: 'dropoff' }] },
    });
    const near = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-near',
      merchantId: 'grpc-hamburg',
      lines: line,
      dropoff: inside,
    });
    expect(near.ok).toBe(true);
    const menu = await call(client.getMerchant.bind(client), { merchantId: 'grpc-hamburg' });
    expect(menu.ok && menu.value.menu.map((i) => i.stock)).toEqual([9]);

    const listed = async (near: { lat: number; lng: number }) => {
      const page = await call(client.listMerchants.bind(client), {
        near,
        radiusM: 5_000,
        openOnly: false,
        pageSize: 10,
        pageToken: '',
      });
      if (!page.ok) throw new Error(page.error.message);
      return page.value.merchants.map((m) => m.merchant?.id);
    };
    expect(await listed(inside)).toEqual(['grpc-hamburg']);
    expect(await listed(outside)).toEqual([]);
  });

  it('answers refusals that quote non-ASCII names (field errors travel as UTF-8)', async () => {
    const merchantId = demoMerchantId(6);
    const item = await call(client.upsertMenuItem.bind(client), {
      merchantId,
      itemId: 'grpc-hongshaorou',
      replaceOnly: false,
      keepStock: false,
      name: '红烧肉',
      description: '',
      price: { amountMinor: 1800, currency: 'EUR' },
      stock: 5,
      available: false,
    });
    if (!item.ok) throw new Error(item.error.message);
    const refused = await call(client.reserveStock.bind(client), {
      orderId: 'grpc-utf8',
      merchantId,
      lines: [{ itemId: 'grpc-hongshaorou', quantity: 1 }],
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'ITEM_UNAVAILABLE',
        fields: [{ field: 'lines[0].item_id', message: expect.stringContaining('红烧肉') as unknown }],
      },
    });
  });
});
