import { err, ok, type Result } from '@mealpeak/core';

/**
 * One Meal Delivery Routing Problem instance (grubhub/mdrplib format, see docs/dispatch.md). Times are
 * integer minutes from the start of the day, coordinates metres, exactly as in the files.
 */
export interface MdrpInstance {
  readonly name: string;
  readonly params: MdrpParams;
  readonly restaurants: ReadonlyMap<string, MdrpRestaurant>;
  readonly orders: readonly MdrpOrder[];
  readonly couriers: readonly MdrpCourier[];
}

export interface MdrpParams {
  readonly metersPerMinute: number;
  readonly pickupServiceMinutes: number;
  readonly dropoffServiceMinutes: number;
  readonly targetClickToDoor: number;
  readonly maxClickToDoor: number;
  readonly payPerOrder: number;
  readonly payPerHour: number;
}

export interface MdrpRestaurant {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

export interface MdrpOrder {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly placementTime: number;
  readonly restaurantId: string;
  readonly readyTime: number;
}

export interface MdrpCourier {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly onTime: number;
  readonly offTime: number;
}

/** The four input files' contents (instance_characteristics.txt is informational and not read). */
export interface MdrpInstanceTexts {
  readonly restaurants: string;
  readonly orders: string;
  readonly couriers: string;
  readonly parameters: string;
}

export interface ParseError {
  readonly code: 'MDRP_PARSE_ERROR';
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

class ParseFailure extends Error {
  readonly detail: ParseError;
  constructor(detail: ParseError) {
    super(detail.message);
    this.detail = detail;
  }
}

export function parseMdrpInstance(name: string, texts: MdrpInstanceTexts): Result<MdrpInstance, ParseError> {
  try {
    const [parameterRow] = rows(texts.parameters, 'instance_parameters.txt', 7);
    if (parameterRow === undefined) throw failure('instance_parameters.txt', 2, 'no parameter line');
    const p = parameterRow.values.map((v) => num(v, parameterRow));
    const params: MdrpParams = {
      metersPerMinute: p[0]!,
      pickupServiceMinutes: p[1]!,
      dropoffServiceMinutes: p[2]!,
      targetClickToDoor: p[3]!,
      maxClickToDoor: p[4]!,
      payPerOrder: p[5]!,
      payPerHour: p[6]!,
    };
    const restaurants = new Map<string, MdrpRestaurant>();
    for (const row of rows(texts.restaurants, 'restaurants.txt', 3)) {
      const [id, x, y] = row.values as [string, string, string];
      restaurants.set(id, { id, x: num(x, row), y: num(y, row) });
    }
    const orders = rows(texts.orders, 'orders.txt', 6).map((row): MdrpOrder => {
      const [id, x, y, placement, restaurantId, ready] = row.values as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (!restaurants.has(restaurantId))
        throw failure(row.file, row.line, `unknown restaurant ${restaurantId}`);
      return {
        id,
        x: num(x, row),
        y: num(y, row),
        placementTime: num(placement, row),
        restaurantId,
        readyTime: num(ready, row),
      };
    });
    const couriers = rows(texts.couriers, 'couriers.txt', 5).map((row): MdrpCourier => {
      const [id, x, y, on, off] = row.values as [string, string, string, string, string];
      return { id, x: num(x, row), y: num(y, row), onTime: num(on, row), offTime: num(off, row) };
    });
    return ok({ name, params, restaurants, orders, couriers });
  } catch (e) {
    if (e instanceof ParseFailure) return err(e.detail);
    throw e;
  }
}

interface Row {
  readonly file: string;
  readonly line: number;
  readonly values: readonly string[];
}

/** Data lines after the header, split on tabs or spaces, each with at least `columns` fields. */
export function rows(text: string, file: string, columns: number): Row[] {
  const out: Row[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (i === 0 || raw.trim() === '') return;
    const values = raw.trim().split(/\s+/);
    if (values.length < columns)
      throw failure(file, i + 1, `expected ${columns} fields, got ${values.length}`);
    out.push({ file, line: i + 1, values });
  });
  return out;
}

function num(value: string, row: Row): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw failure(row.file, row.line, `not a number: ${value}`);
  return n;
}

function failure(file: string, line: number, message: string): ParseFailure {
  return new ParseFailure({ code: 'MDRP_PARSE_ERROR', file, line, message: `${file}:${line}: ${message}` });
}
