import type { MdrpInstance, MdrpOrder } from './mdrp-instance.ts';
import { mdrpTravelMinutes } from './mdrp-travel.ts';
import type { MdrpSolution, SolutionAssignment, SolutionMove, SolutionOrder } from './solution.ts';

export type ViolationCode =
  | 'UNKNOWN_ORDER'
  | 'UNKNOWN_COURIER'
  | 'ORDER_ASSIGNED_TWICE'
  | 'ASSIGNED_BEFORE_PLACEMENT'
  | 'MIXED_RESTAURANTS'
  | 'PICKUP_BEFORE_READY'
  | 'PICKUP_AFTER_OFF_TIME'
  | 'ASSIGNED_WHILE_BUSY'
  | 'ORDER_RECORD_MISMATCH'
  | 'MOVES_MISMATCH'
  | 'TIMES_INCONSISTENT';

export interface Violation {
  readonly code: ViolationCode;
  readonly message: string;
}

const EPS = 1e-6;

/**
 * Checks a solution against the instance set's rules (shared/mdrplib README; MDRPInstances.pdf §2.1):
 * each order assigned at most once and never before placement; bundles from one restaurant; pickup at or
 * after the latest ready time and no later than the courier's off-time; deliveries in the assigned
 * sequence; moves chained without teleporting, with arrival = departure + ceil(distance / speed), pickup
 * = max(ready, arrival + s_r/2), drop-off = arrival + s_o/2, departures after service; no instruction
 * while a courier executes an assignment (no diversion), no moves before the on-time and no moves outside
 * assignments (prepositioning is a variant we do not use). Returns every violation found; none = feasible.
 */
export function checkFeasibility(instance: MdrpInstance, solution: MdrpSolution): Violation[] {
  const violations: Violation[] = [];
  const fail = (code: ViolationCode, message: string): void => {
    violations.push({ code, message });
  };
  const orders = new Map(instance.orders.map((o) => [o.id, o]));
  const couriers = new Map(instance.couriers.map((c) => [c.id, c]));
  const records = new Map<string, SolutionOrder>();
  for (const r of solution.orders) {
    if (records.has(r.orderId)) fail('ORDER_RECORD_MISMATCH', `order ${r.orderId} delivered twice`);
    records.set(r.orderId, r);
  }

  const assignedTo = new Map<string, SolutionAssignment>();
  const perCourier = new Map<string, SolutionAssignment[]>();
  for (const a of solution.assignments) {
    if (!couriers.has(a.courierId)) fail('UNKNOWN_COURIER', `assignment to unknown courier ${a.courierId}`);
    const list = perCourier.get(a.courierId) ?? [];
    list.push(a);
    perCourier.set(a.courierId, list);
    const bundle: MdrpOrder[] = [];
    for (const id of a.orderIds) {
      const order = orders.get(id);
      if (order === undefined) {
        fail('UNKNOWN_ORDER', `assignment names unknown order ${id}`);
        continue;
      }
      bundle.push(order);
      if (assignedTo.has(id)) fail('ORDER_ASSIGNED_TWICE', `order ${id} is assigned more than once`);
      assignedTo.set(id, a);
      if (a.assignmentTime < order.placementTime - EPS) {
        fail(
          'ASSIGNED_BEFORE_PLACEMENT',
          `order ${id} assigned at ${a.assignmentTime}, placed at ${order.placementTime}`,
        );
      }
      if (a.pickupTime < order.readyTime - EPS) {
        fail('PICKUP_BEFORE_READY', `order ${id} picked up at ${a.pickupTime}, ready at ${order.readyTime}`);
      }
      const record = records.get(id);
      if (record === undefined) fail('ORDER_RECORD_MISMATCH', `assigned order ${id} has no delivery line`);
      else if (
        record.courierId !== a.courierId ||
        !near(record.pickupTime, a.pickupTime) ||
        !near(record.placementTime, order.placementTime) ||
        !near(record.readyTime, order.readyTime)
      ) {
        fail(
          'ORDER_RECORD_MISMATCH',
          `delivery line of order ${id} disagrees with its assignment or the instance`,
        );
      }
    }
    if (new Set(bundle.map((o) => o.restaurantId)).size > 1) {
      fail('MIXED_RESTAURANTS', `assignment of ${a.orderIds.join(',')} mixes restaurants`);
    }
    const courier = couriers.get(a.courierId);
    if (courier !== undefined && a.pickupTime > courier.offTime + EPS) {
      fail(
        'PICKUP_AFTER_OFF_TIME',
        `courier ${a.courierId} picks up at ${a.pickupTime} after off-time ${courier.offTime}`,
      );
    }
  }
  for (const r of solution.orders) {
    if (!assignedTo.has(r.orderId))
      fail('ORDER_RECORD_MISMATCH', `order ${r.orderId} delivered but never assigned`);
  }

  const movesOf = new Map<string, SolutionMove[]>();
  for (const m of solution.moves) {
    const list = movesOf.get(m.courierId) ?? [];
    list.push(m);
    movesOf.set(m.courierId, list);
  }
  for (const id of movesOf.keys()) {
    if (!perCourier.has(id)) fail('MOVES_MISMATCH', `courier ${id} moves without any assignment`);
  }
  for (const [courierId, list] of perCourier) {
    const courier = couriers.get(courierId);
    if (courier === undefined) continue;
    const inOrder = [...list].sort((a, b) => a.assignmentTime - b.assignmentTime);
    checkCourier(instance, orders, courier, inOrder, movesOf.get(courierId) ?? [], records, fail);
  }
  return violations;
}

function checkCourier(
  instance: MdrpInstance,
  orders: ReadonlyMap<string, MdrpOrder>,
  courier: { readonly id: string; readonly x: number; readonly y: number; readonly onTime: number },
  assignments: readonly SolutionAssignment[],
  moves: readonly SolutionMove[],
  records: ReadonlyMap<string, SolutionOrder>,
  fail: (code: ViolationCode, message: string) => void,
): void {
  const p = instance.params;
  const pointOf = (id: string): { x: number; y: number } | undefined =>
    id === '0' ? courier : (instance.restaurants.get(id) ?? orders.get(id));
  const expected = assignments.reduce((n, a) => n + 1 + a.orderIds.length, 0);
  if (moves.length !== expected) {
    fail(
      'MOVES_MISMATCH',
      `courier ${courier.id} has ${moves.length} moves, its assignments need ${expected}`,
    );
    return;
  }
  let location = '0';
  let freeAt = courier.onTime;
  let k = 0;
  for (const a of assignments) {
    const first = orders.get(a.orderIds[0] ?? '');
    if (first === undefined) return;
    if (a.assignmentTime < freeAt - EPS) {
      fail(
        'ASSIGNED_WHILE_BUSY',
        `courier ${courier.id} gets ${a.orderIds.join(',')} at ${a.assignmentTime}, busy until ${freeAt}`,
      );
    }
    const legs = [first.restaurantId, ...a.orderIds];
    for (let leg = 0; leg < legs.length; leg++) {
      const move = moves[k++]!;
      const destination = legs[leg]!;
      if (move.origin !== location || move.destination !== destination) {
        fail(
          'MOVES_MISMATCH',
          `courier ${courier.id} moves ${move.origin}->${move.destination}, expected ${location}->${destination}`,
        );
        return;
      }
      const earliest = leg === 0 ? Math.max(freeAt, a.assignmentTime) : freeAt;
      if (move.departureTime < earliest - EPS) {
        fail(
          'TIMES_INCONSISTENT',
          `courier ${courier.id} leaves ${location} at ${move.departureTime}, before ${earliest}`,
        );
      }
      const from = pointOf(location);
      const to = pointOf(destination);
      if (from === undefined || to === undefined) return;
      const arrival = move.departureTime + mdrpTravelMinutes(p, from, to);
      if (leg === 0) {
        const ready = Math.max(...a.orderIds.map((id) => orders.get(id)?.readyTime ?? 0));
        const pickup = Math.max(ready, arrival + p.pickupServiceMinutes / 2);
        if (!near(a.pickupTime, pickup)) {
          fail(
            'TIMES_INCONSISTENT',
            `courier ${courier.id} arrives at ${destination} at ${arrival}: pickup is ${pickup}, not ${a.pickupTime}`,
          );
        }
        freeAt = a.pickupTime + p.pickupServiceMinutes / 2;
      } else {
        const dropoff = arrival + p.dropoffServiceMinutes / 2;
        const record = records.get(destination);
        if (record !== undefined && !near(record.dropoffTime, dropoff)) {
          fail(
            'TIMES_INCONSISTENT',
            `order ${destination} reached at ${arrival}: drop-off is ${dropoff}, not ${record.dropoffTime}`,
          );
        }
        freeAt = (record?.dropoffTime ?? dropoff) + p.dropoffServiceMinutes / 2;
      }
      location = destination;
    }
  }
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) < EPS;
}
