import { describe, expect, it } from 'vitest';
import { codedError } from '@mealpeak/core';
import { fromCodedError } from './problems.ts';

describe('a refusal from a service', () => {
  it('names each field in its message as fields[] does: the JSON name, not the proto one', () => {
    const problem = fromCodedError(
      codedError(
        'invalid',
        'INVALID_ARGUMENT',
        'time_zone: must be an IANA time zone; opening_hours[0].close_minute: must differ from open_minute',
        [
          { field: 'time_zone', message: 'must be an IANA time zone' },
          { field: 'opening_hours[0].close_minute', message: 'must differ from open_minute' },
        ],
      ),
      5,
    );
    expect(problem).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      message:
        'timeZone: must be an IANA time zone; openingHours[0].closeMinute: must differ from open_minute',
      fields: [
        { field: 'timeZone', message: 'must be an IANA time zone' },
        { field: 'openingHours[0].closeMinute', message: 'must differ from open_minute' },
      ],
    });
  });

  it('leaves the rest of a message as it is, quoted user text included', () => {
    const problem = fromCodedError(
      codedError('conflict', 'STOCK_EXHAUSTED', 'only 2 left of "fish_and_chips: large"', [
        { field: 'lines[0].quantity', message: 'only 2 left' },
      ]),
      5,
    );
    expect(problem.message).toBe('only 2 left of "fish_and_chips: large"');
  });
});
