import { codedError, err, ok, type CodedError, type Result } from '@mealpeak/core';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import { OrderCommand, OrderState, type Order, type TimelineEntry } from '@mealpeak/contracts/order.v1';
import { MerchantStatus, type MenuItem, type Merchant } from '@mealpeak/contracts/merchant.v1';
import type { UpdateMerchantProfileRequest } from '@mealpeak/contracts/merchant.v1';
import type { MerchantPort, OrderPort, Page } from '../../src/app/ports.ts';

/** In-memory stand-ins for the order and merchant services, with just enough rules to be honest. */

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const NOW = new Date('2026-11-22T12:00:00.000Z');

export function merchantFixture(id: string, overrides: Partial<Merchant> = {}): Merchant {
  return {
    id,
    name: `Kitchen ${id}`,
    location: { lat: 52.52, lng: 13.405 },
    timeZone: 'Europe/Berlin',
    openingHours: [{ dayOfWeek: 0, openMinute: 600, closeMinute: 1320 }],
    status: MerchantStatus.MERCHANT_STATUS_OPEN,
    kitchenCapacity: 6,
    backlog: 1,
    prepEstimateSeconds: 900,
    autoPauseBacklog: 20,
    deliveryRadiusM: 5_000,
    address: '',
    basePrepSeconds: 900,
    currency: 'EUR',
    ...overrides,
  };
}

export function menuItemFixture(merchantId: string, id: string, overrides: Partial<MenuItem> = {}): MenuItem {
  return {
    id,
    merchantId,
    name: `Dish ${id}`,
    description: '',
    price: EUR(1250),
    stock: 10,
    available: true,
    ...overrides,
  };
}

function page<T>(items: T[], pageSize: number, pageToken: string): Page<T> {
  const start = pageToken === '' ? 0 : Number(pageToken);
  const end = start + pageSize;
  return { items: items.slice(start, end), nextPageToken: end < items.length ? String(end) : '' };
}

type Reply<T> = Promise<Result<T, CodedError>>;

const S = OrderState;
const CANCEL_FROM = new Map<ActorRole, OrderState[]>([
  [
    ActorRole.ACTOR_ROLE_CUSTOMER,
    [
      S.ORDER_STATE_PLACED,
      S.ORDER_STATE_ACCEPTED,
      S.ORDER_STATE_READY_FOR_PICKUP,
      S.ORDER_STATE_RIDER_ASSIGNED,
    ],
  ],
  [ActorRole.ACTOR_ROLE_MERCHANT, [S.ORDER_STATE_ACCEPTED]],
  [
    ActorRole.ACTOR_ROLE_OPS,
    [
      S.ORDER_STATE_PLACED,
      S.ORDER_STATE_ACCEPTED,
      S.ORDER_STATE_READY_FOR_PICKUP,
      S.ORDER_STATE_RIDER_ASSIGNED,
      S.ORDER_STATE_PICKED_UP,
    ],
  ],
]);

export class FakeBackend {
  readonly merchants = new Map<string, { merchant: Merchant; menu: MenuItem[] }>();
  /** Stock changes by request id, as the merchant service records them. */
  readonly stockChanges = new Map<string, { change: string; stock: number }>();
  readonly orders = new Map<string, Order>();
  readonly timelines = new Map<string, TimelineEntry[]>();
  /** Every UpdateMerchantProfile request, as sent. */
  readonly profileUpdates: UpdateMerchantProfileRequest[] = [];
  /** Every PlaceOrder call, including repeats of an id (idempotent ones). */
  readonly placeCalls: string[] = [];
  /** When set, the next calls of these methods answer this error instead. */
  readonly failures = new Map<string, CodedError>();
  placeDelayMs = 0;
  /** When set, PlaceOrder calls wait for it (they hold their in-flight slot until released). */
  placeGate: Promise<void> | undefined;

  addMerchant(id: string, items: string[] = ['i-1', 'i-2']): void {
    this.merchants.set(id, { merchant: merchantFixture(id), menu: items.map((i) => menuItemFixture(id, i)) });
  }

  addOrder(order: Partial<Order> & { id: string; customerId: string; merchantId: string }): Order {
    const full: Order = {
      state: OrderState.ORDER_STATE_PLACED,
      lines: [{ itemId: 'i-1', name: 'Dish i-1', quantity: 1, unitPrice: EUR(1250), lineTotal: EUR(1250) }],
      total: EUR(1250),
      pickup: { lat: 52.52, lng: 13.405 },
      dropoff: { lat: 52.5, lng: 13.4 },
      dropoffAddress: 'Somestr. 1',
      merchantName: '',
      pickupAddress: '',
      placedAt: NOW,
      updatedAt: NOW,
      expectedReadyAt: undefined,
      promisedAt: undefined,
      riderId: '',
      reason: '',
      version: 1,
      ...order,
    };
    this.orders.set(full.id, full);
    this.timelines.set(full.id, [
      {
        fromState: OrderState.ORDER_STATE_UNSPECIFIED,
        toState: OrderState.ORDER_STATE_PLACED,
        actor: { role: ActorRole.ACTOR_ROLE_CUSTOMER, id: full.customerId },
        reason: '',
        at: NOW,
      },
    ]);
    return full;
  }

  private failure(method: string): CodedError | undefined {
    const f = this.failures.get(method);
    if (f) this.failures.delete(method);
    return f;
  }

  private transition(
    id: string,
    to: OrderState,
    actor: ActorRole,
    actorId: string,
    reason = '',
  ): Result<Order, CodedError> {
    const order = this.orders.get(id);
    if (!order) return err(codedError('not_found', 'ORDER_NOT_FOUND', `order ${id} does not exist`));
    const next = { ...order, state: to, reason, version: order.version + 1 };
    this.orders.set(id, next);
    this.timelines
      .get(id)
      ?.push({ fromState: order.state, toState: to, actor: { role: actor, id: actorId }, reason, at: NOW });
    return ok(next);
  }

  readonly orderPort: OrderPort = {
    placeOrder: async (request): Reply<Order> => {
      this.placeCalls.push(request.orderId);
      if (this.placeDelayMs) await new Promise((r) => setTimeout(r, this.placeDelayMs));
      if (this.placeGate) await this.placeGate;
      const f = this.failure('placeOrder');
      if (f) return err(f);
      const existing = this.orders.get(request.orderId);
      if (existing) return ok(existing);
      const shop = this.merchants.get(request.merchantId);
      if (!shop) return err(codedError('not_found', 'MERCHANT_NOT_FOUND', 'merchant not found'));
      const lines = request.lines.map((l) => {
        const item = shop.menu.find((i) => i.id === l.itemId);
        return {
          itemId: l.itemId,
          name: item?.name ?? '?',
          quantity: l.quantity,
          unitPrice: item?.price,
          lineTotal: EUR((item?.price?.amountMinor ?? 0) * l.quantity),
        };
      });
      const total = EUR(lines.reduce((sum, l) => sum + (l.lineTotal.amountMinor ?? 0), 0));
      return ok(
        this.addOrder({
          id: request.orderId,
          customerId: request.customerId,
          merchantId: request.merchantId,
          lines,
          total,
          dropoff: request.dropoff,
          dropoffAddress: request.dropoffAddress,
        }),
      );
    },
    getOrder: async (orderId) => {
      const f = this.failure('getOrder');
      if (f) return err(f);
      const order = this.orders.get(orderId);
      return order
        ? ok(order)
        : err(codedError('not_found', 'ORDER_NOT_FOUND', `order ${orderId} does not exist`));
    },
    listOrders: async (request) => {
      const f = this.failure('listOrders');
      if (f) return err(f);
      const all = [...this.orders.values()].filter(
        (o) =>
          (request.customerId === '' || o.customerId === request.customerId) &&
          (request.merchantId === '' || o.merchantId === request.merchantId) &&
          (request.states.length === 0 || request.states.includes(o.state)),
      );
      return ok(page(request.oldestFirst ? all.reverse() : all, request.pageSize, request.pageToken));
    },
    transitionOrder: async (request) => {
      if (request.command !== OrderCommand.ORDER_COMMAND_CANCEL)
        return err(codedError('invalid', 'UNSUPPORTED', 'fake'));
      const order = this.orders.get(request.orderId);
      const role = request.actor?.role ?? ActorRole.ACTOR_ROLE_UNSPECIFIED;
      // The order service's rules (docs/adr/0006), simplified: the states each role may cancel from.
      const from = CANCEL_FROM.get(role);
      if (!from) return err(codedError('forbidden', 'ACTOR_NOT_ALLOWED', 'this actor may not cancel'));
      if (order && !from.includes(order.state)) {
        return err(codedError('conflict', 'ILLEGAL_TRANSITION', 'the order can no longer be cancelled'));
      }
      return this.transition(
        request.orderId,
        OrderState.ORDER_STATE_CANCELLED,
        role,
        request.actor?.id ?? '',
        request.reason,
      );
    },
    getOrderTimeline: async (orderId) => {
      const entries = this.timelines.get(orderId);
      return entries ? ok(entries) : err(codedError('not_found', 'ORDER_NOT_FOUND', 'order not found'));
    },
    countOrdersByState: async (merchantId, since) => {
      const counts = new Map<OrderState, number>();
      for (const o of this.orders.values()) {
        if (merchantId === '' || o.merchantId === merchantId)
          counts.set(o.state, (counts.get(o.state) ?? 0) + 1);
      }
      return ok({ counts: [...counts].map(([state, count]) => ({ state, count })), since });
    },
  };

  private ownOrder(merchantId: string, orderId: string): Result<Order, CodedError> {
    const order = this.orders.get(orderId);
    // Like the merchant service: another store's order is "not found for this merchant".
    if (!order || order.merchantId !== merchantId) {
      return err(codedError('not_found', 'ORDER_NOT_FOUND', `order ${orderId} not found for this merchant`));
    }
    return ok(order);
  }

  readonly merchantPort: MerchantPort = {
    listMerchants: async (request) => {
      const f = this.failure('listMerchants');
      if (f) return err(f);
      const all = [...this.merchants.values()].map((m) => ({ merchant: m.merchant, distanceM: 120 }));
      return ok(page(all, request.pageSize, request.pageToken));
    },
    getMerchant: async (merchantId) => {
      const shop = this.merchants.get(merchantId);
      return shop ? ok(shop) : err(codedError('not_found', 'MERCHANT_NOT_FOUND', 'merchant not found'));
    },
    upsertMenuItem: async (request) => {
      const shop = this.merchants.get(request.merchantId);
      if (!shop) return err(codedError('not_found', 'MERCHANT_NOT_FOUND', 'merchant not found'));
      if (request.replaceOnly && !shop.menu.some((i) => i.id === request.itemId))
        return err(codedError('not_found', 'ITEM_NOT_FOUND', 'not an item of this merchant'));
      const { replaceOnly: _replaceOnly, keepStock: _keepStock, ...fields } = request;
      const id = request.itemId || `i-${shop.menu.length + 1}`;
      const kept = request.keepStock ? shop.menu.find((i) => i.id === id)?.stock : undefined;
      const stock = kept ?? request.stock;
      const item: MenuItem = { ...fields, stock, id, merchantId: request.merchantId };
      shop.menu = [...shop.menu.filter((i) => i.id !== id), item];
      return ok(item);
    },
    setStock: async (merchantId, itemId, { stock, add, expectedStock, requestId }) => {
      const item = this.merchants.get(merchantId)?.menu.find((i) => i.id === itemId);
      if (!item) return err(codedError('not_found', 'ITEM_NOT_FOUND', 'no such item'));
      // As the merchant service: a recorded request id answers its first result (adr/0022).
      const change = JSON.stringify([merchantId, itemId, stock, add, expectedStock]);
      const recorded = requestId === undefined ? undefined : this.stockChanges.get(requestId);
      if (recorded && recorded.change !== change)
        return err(codedError('conflict', 'IDEMPOTENCY_KEY_REUSED', 'request id used for another change'));
      if (recorded) return ok({ ...item, stock: recorded.stock });
      if (add !== undefined && item.stock + add < 0)
        return err(
          codedError('conflict', 'STOCK_INSUFFICIENT', `only ${item.stock} left: cannot remove ${-add}`, [
            { field: 'add', message: `at most ${item.stock} can be removed now` },
          ]),
        );
      if (expectedStock !== undefined && item.stock !== expectedStock)
        return err(
          codedError('conflict', 'STOCK_CHANGED', `the stock is ${item.stock} now, not ${expectedStock}`, [
            { field: 'expected_stock', message: `is ${item.stock} now` },
          ]),
        );
      item.stock = add !== undefined ? item.stock + add : (stock ?? item.stock);
      if (requestId !== undefined) this.stockChanges.set(requestId, { change, stock: item.stock });
      return ok(item);
    },
    setMerchantStatus: async (merchantId, status) => {
      const shop = this.merchants.get(merchantId);
      if (!shop) return err(codedError('not_found', 'MERCHANT_NOT_FOUND', 'merchant not found'));
      shop.merchant = { ...shop.merchant, status };
      return ok(shop.merchant);
    },
    updateMerchantProfile: async (request) => {
      this.profileUpdates.push(request);
      const shop = this.merchants.get(request.merchantId);
      if (!shop) return err(codedError('not_found', 'MERCHANT_NOT_FOUND', 'merchant not found'));
      // One of the merchant service's rules, enough to see its field errors pass through.
      if (request.timeZone !== undefined && !/^[A-Za-z]+(\/[A-Za-z_]+)*$/.test(request.timeZone))
        return err(
          codedError('invalid', 'INVALID_ARGUMENT', 'time_zone: must be an IANA time zone', [
            { field: 'time_zone', message: 'must be an IANA time zone' },
          ]),
        );
      const { merchantId: _id, openingHours, ...fields } = request;
      const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      shop.merchant = {
        ...shop.merchant,
        ...given,
        ...(openingHours ? { openingHours: openingHours.windows } : {}),
      };
      return ok(shop);
    },
    acceptOrder: async (merchantId, orderId) => {
      const own = this.ownOrder(merchantId, orderId);
      return own.ok
        ? this.transition(orderId, OrderState.ORDER_STATE_ACCEPTED, ActorRole.ACTOR_ROLE_MERCHANT, merchantId)
        : own;
    },
    rejectOrder: async (merchantId, orderId, reason) => {
      const own = this.ownOrder(merchantId, orderId);
      return own.ok
        ? this.transition(
            orderId,
            OrderState.ORDER_STATE_REJECTED,
            ActorRole.ACTOR_ROLE_MERCHANT,
            merchantId,
            reason,
          )
        : own;
    },
    markOrderReady: async (merchantId, orderId) => {
      const own = this.ownOrder(merchantId, orderId);
      return own.ok
        ? this.transition(
            orderId,
            OrderState.ORDER_STATE_READY_FOR_PICKUP,
            ActorRole.ACTOR_ROLE_MERCHANT,
            merchantId,
          )
        : own;
    },
  };
}
