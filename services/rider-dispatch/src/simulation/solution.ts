import { err, ok, type Result } from '@mealpeak/core';
import { rows } from './mdrp-instance.ts';

/** A solution in the MDRP files' terms: minutes, string ids, origin '0' for a courier's on-location. */
export interface MdrpSolution {
  readonly assignments: readonly SolutionAssignment[];
  readonly orders: readonly SolutionOrder[];
  /** Grouped per courier, in execution order. */
  readonly moves: readonly SolutionMove[];
}

export interface SolutionAssignment {
  readonly assignmentTime: number;
  readonly pickupTime: number;
  readonly courierId: string;
  readonly orderIds: readonly string[];
}

export interface SolutionOrder {
  readonly orderId: string;
  readonly placementTime: number;
  readonly readyTime: number;
  readonly pickupTime: number;
  readonly dropoffTime: number;
  readonly courierId: string;
}

export interface SolutionMove {
  readonly courierId: string;
  readonly departureTime: number;
  readonly origin: string;
  readonly destination: string;
}

export interface SolutionTexts {
  readonly assignments: string;
  readonly orders: string;
  readonly couriers: string;
}

export const SOLUTION_FILES = {
  assignments: 'solution_info_assignments.txt',
  orders: 'solution_info_orders.txt',
  couriers: 'solution_info_couriers.txt',
} as const;

const ORDER_COLUMNS = [
  'order',
  'placement_time',
  'ready_time',
  'pickup_time',
  'dropoff_time',
  'courier',
] as const;

export function writeSolution(solution: MdrpSolution): SolutionTexts {
  const lines = (header: string, body: string[]): string => [header, ...body].join('\n') + '\n';
  return {
    assignments: lines(
      'assignment_time pickup_time courier order',
      solution.assignments.map((a) =>
        [fmt(a.assignmentTime), fmt(a.pickupTime), a.courierId, ...a.orderIds].join(' '),
      ),
    ),
    orders: lines(
      ORDER_COLUMNS.join(' '),
      solution.orders.map((o) =>
        [
          o.orderId,
          fmt(o.placementTime),
          fmt(o.readyTime),
          fmt(o.pickupTime),
          fmt(o.dropoffTime),
          o.courierId,
        ].join(' '),
      ),
    ),
    couriers: lines(
      'courier departure_time origin destination',
      solution.moves.map((m) => [m.courierId, fmt(m.departureTime), m.origin, m.destination].join(' ')),
    ),
  };
}

export interface SolutionParseError {
  readonly code: 'SOLUTION_PARSE_ERROR';
  readonly message: string;
}

/** Reads the three files back; the orders file's columns are found by their header names. */
export function readSolution(texts: SolutionTexts): Result<MdrpSolution, SolutionParseError> {
  try {
    const assignments = rows(texts.assignments, SOLUTION_FILES.assignments, 4).map((r) => ({
      assignmentTime: num(r.values[0]!),
      pickupTime: num(r.values[1]!),
      courierId: r.values[2]!,
      orderIds: r.values.slice(3),
    }));
    const header = (texts.orders.split(/\r?\n/)[0] ?? '').trim().split(/\s+/);
    const column = ORDER_COLUMNS.map((name) => header.indexOf(name));
    const missing = ORDER_COLUMNS.filter((_, i) => column[i]! < 0);
    if (missing.length > 0) {
      return err({
        code: 'SOLUTION_PARSE_ERROR',
        message: `orders file lacks columns: ${missing.join(', ')}`,
      });
    }
    const at = (values: readonly string[], i: number): string => values[column[i]!] ?? '';
    const orders = rows(texts.orders, SOLUTION_FILES.orders, ORDER_COLUMNS.length).map((r) => ({
      orderId: at(r.values, 0),
      placementTime: num(at(r.values, 1)),
      readyTime: num(at(r.values, 2)),
      pickupTime: num(at(r.values, 3)),
      dropoffTime: num(at(r.values, 4)),
      courierId: at(r.values, 5),
    }));
    const moves = rows(texts.couriers, SOLUTION_FILES.couriers, 4).map((r) => ({
      courierId: r.values[0]!,
      departureTime: num(r.values[1]!),
      origin: r.values[2]!,
      destination: r.values[3]!,
    }));
    return ok({ assignments, orders, moves });
  } catch (e) {
    return err({ code: 'SOLUTION_PARSE_ERROR', message: e instanceof Error ? e.message : String(e) });
  }
}

function fmt(minutes: number): string {
  return Number.isInteger(minutes) ? String(minutes) : String(Math.round(minutes * 1000) / 1000);
}

function num(value: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw new Error(`not a number: ${value}`);
  return n;
}
