import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, fieldPath } from './field-errors.ts';

describe('fieldPath', () => {
  it.each([
    ['/lines/0/quantity', [], 'lines[0].quantity'],
    ['/dropoff', ['lat'], 'dropoff.lat'],
    ['', ['merchantId'], 'merchantId'],
    ['/a~1b/c~0d', [], 'a/b.c~d'],
    ['/lines/12', [], 'lines[12]'],
  ])('%s + %j -> %s', (pointer, more, expected) => {
    expect(fieldPath(pointer, ...more)).toBe(expected);
  });
});

describe('fieldErrorsOf', () => {
  it('names every missing and unknown property and drops the duplicate false-schema report', () => {
    const fields = fieldErrorsOf(
      [
        { keyword: 'boolean', instancePath: '/lines/0/extra', message: 'schema is false' },
        {
          keyword: 'additionalProperties',
          instancePath: '/lines/0',
          params: { additionalProperties: ['extra'] },
        },
        { keyword: 'required', instancePath: '/dropoff', params: { requiredProperties: ['lat', 'lng'] } },
        { keyword: 'enum', instancePath: '/state', params: { allowedValues: ['OPEN', 'PAUSED'] } },
        { keyword: 'type', instancePath: '', message: 'must be object' },
      ],
      'body',
    );
    expect(fields).toEqual([
      { field: 'lines[0].extra', message: 'is not a known field' },
      { field: 'dropoff.lat', message: 'is required' },
      { field: 'dropoff.lng', message: 'is required' },
      { field: 'state', message: 'must be one of OPEN, PAUSED' },
      { field: 'body', message: 'must be object' },
    ]);
  });

  it('keeps at most 20 field errors', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      keyword: 'type',
      instancePath: `/lines/${i}`,
      message: 'x',
    }));
    expect(fieldErrorsOf(many, 'body')).toHaveLength(20);
  });
});
