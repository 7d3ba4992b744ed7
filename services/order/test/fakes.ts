import { err, ok, type CodedError, type Result } from '@mealpeak/core';
import type {
  Clock,
  Decide,
  EventClaim,
  OrderFilter,
  OrderPage,
  OrderStore,
  StockReservations,
} from '../src/app/ports.ts';
import { OrderErrors } from '../src/domain/errors.ts';
import { TERMINAL_STATES, type Order, type OrderState, type StateChange } from '../src/domain/order.ts';
import type { PlaceOrderInput, Reservation } from '../src/domain/placement.ts';

/** In-memory OrderStore with the same contract as the pg adapter (single-threaded, so no locks). */
export class MemoryOrderStore implements OrderStore {
  readonly orders = new Map<string, Order>();
  readonly timelines = new Map<string, StateChange[]>();
  readonly claims = new Set<string>();
  /** Every state change "published", in order. */
  readonly published: { orderId: string; change: StateChange }[] = [];
  failInsert: Error | undefined;
  failGet: Error | undefined;

  async get(id: string) {
    if (this.failGet) throw this.failGet;
    return this.orders.get(id);
  }
  async list(filter: OrderFilter, pageSize: number): Promise<Result<OrderPage, CodedError>> {
    const orders = [...this.orders.values()]
      .filter(
        (o) =>
          (!filter.customerId || o.customerId === filter.customerId) &&
          (!filter.merchantId || o.merchantId === filter.merchantId),
      )
      .filter((o) => !filter.states?.length || filter.states.includes(o.state))
      .sort((a, b) => (a.placedAt.getTime() - b.placedAt.getTime()) * (filter.oldestFirst ? 1 : -1))
      .slice(0, pageSize);
    return ok({ orders, nextCursor: undefined });
  }
  async timeline(id: string) {
    return this.timelines.get(id) ?? [];
  }
  async countByState(merchantId: string | undefined, since: Date) {
    const counts = new Map<OrderState, number>();
    for (const o of this.orders.values())
      if (
        (!merchantId || o.merchantId === merchantId) &&
        (!TERMINAL_STATES.has(o.state) || o.placedAt >= since)
      )
        counts.set(o.state, (counts.get(o.state) ?? 0) + 1);
    return counts;
  }
  async acceptedOverdue(readyBefore: Date) {
    const overdue = [...this.orders.values()].filter(
      (o) => o.state === 'ACCEPTED' && o.expectedReadyAt && o.expectedReadyAt < readyBefore,
    );
    const times = overdue.map((o) => o.expectedReadyAt?.getTime() ?? 0);
    return { count: overdue.length, oldestReadyAt: times.length ? new Date(Math.min(...times)) : undefined };
  }
  async insertPlaced(order: Order, change: StateChange, storeBy?: Date) {
    if (this.failInsert) throw this.failInsert;
    const existing = this.orders.get(order.id);
    if (existing) return { order: existing, created: false };
    if (storeBy && Date.now() >= storeBy.getTime()) return 'too-late' as const;
    this.orders.set(order.id, order);
    this.timelines.set(order.id, [change]);
    this.published.push({ orderId: order.id, change });
    return { order, created: true };
  }
  async mutate(
    id: string,
    decide: Decide,
    claim?: EventClaim,
  ): Promise<Result<Order | 'duplicate', CodedError>> {
    if (claim && this.claims.has(`${claim.consumer}:${claim.eventId}`)) return ok('duplicate');
    const order = this.orders.get(id);
    if (!order) return err(OrderErrors.notFound(id));
    const decision = decide(order);
    if (!decision.ok) return decision;
    if (claim) this.claims.add(`${claim.consumer}:${claim.eventId}`);
    this.orders.set(id, decision.value.order);
    this.timelines.get(id)?.push(...decision.value.changes);
    for (const change of decision.value.changes) this.published.push({ orderId: id, change });
    return ok(decision.value.order);
  }
  async sweepOverdue(now: Date, limit: number, decide: Decide) {
    let n = 0;
    for (const o of [...this.orders.values()]
      .filter((o) => o.state === 'PLACED' && o.acceptBy <= now)
      .slice(0, limit)) {
      if ((await this.mutate(o.id, decide)).ok) n++;
    }
    return n;
  }
}

export class FakeReservations implements StockReservations {
  readonly reserved: string[] = [];
  readonly released: string[] = [];
  failWith: CodedError | undefined;
  /** The hold end the fake merchant reports (a real merchant: now + its reservation TTL). */
  reservedUntil: Date | undefined;
  /** What the fake merchant calls itself; '' as a merchant release from before the fields. */
  restaurant = { merchantName: 'Shanghai Kitchen', pickupAddress: '1 Nanjing East Rd' };

  async reserve(input: PlaceOrderInput): Promise<Result<Reservation, CodedError>> {
    if (this.failWith) return err(this.failWith);
    this.reserved.push(input.orderId);
    const unit = { amountMinor: 1000, currency: 'CNY' };
    const lines = input.lines.map((l) => ({
      itemId: l.itemId,
      name: `item ${l.itemId}`,
      quantity: l.quantity,
      unitPrice: unit,
      lineTotal: { amountMinor: 1000 * l.quantity, currency: 'CNY' },
    }));
    return ok({
      lines,
      total: { amountMinor: lines.reduce((s, l) => s + l.lineTotal.amountMinor, 0), currency: 'CNY' },
      pickup: { lat: 31.23, lng: 121.45 },
      ...this.restaurant,
      prepEstimateSeconds: 600,
      reservedUntil: this.reservedUntil,
    });
  }
  async release(orderId: string): Promise<Result<void, CodedError>> {
    this.released.push(orderId);
    return ok(undefined);
  }
}

export class ManualClock implements Clock {
  current: Date;
  constructor(start: Date) {
    this.current = start;
  }
  now() {
    return this.current;
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
