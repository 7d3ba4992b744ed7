import { describe, expect, it } from 'vitest';
import { OrderCommand, type TransitionOrderRequest } from '@mealpeak/contracts/order.v1';
import { commandFromProto, NO_REASON_GIVEN } from './proto.ts';

const request = (command: OrderCommand, reason: string): TransitionOrderRequest => ({
  orderId: '0190f3c1-0000-7000-8000-000000000001',
  command,
  actor: undefined,
  reason,
  prepSeconds: 0,
  riderId: '',
});

describe('commands from the proto', () => {
  it('records a cancellation without a reason as NO_REASON_GIVEN; a rejection needs one', () => {
    expect(commandFromProto(request(OrderCommand.ORDER_COMMAND_CANCEL, '  '))).toEqual({
      ok: true,
      value: { kind: 'CANCEL', reason: NO_REASON_GIVEN },
    });
    expect(commandFromProto(request(OrderCommand.ORDER_COMMAND_CANCEL, ' changed my mind '))).toEqual({
      ok: true,
      value: { kind: 'CANCEL', reason: 'changed my mind' },
    });
    const rejected = commandFromProto(request(OrderCommand.ORDER_COMMAND_REJECT, ''));
    expect(!rejected.ok && rejected.error.fields).toEqual([{ field: 'reason', message: 'is required' }]);
  });

  it('refuses reasons with control characters or over 200 characters, naming the field', () => {
    for (const reason of ['late\u0000', 'x'.repeat(201)]) {
      const result = commandFromProto(request(OrderCommand.ORDER_COMMAND_CANCEL, reason));
      expect(!result.ok && result.error).toMatchObject({
        code: 'INVALID_ARGUMENT',
        fields: [{ field: 'reason' }],
      });
    }
    expect(commandFromProto(request(OrderCommand.ORDER_COMMAND_CANCEL, '🍜'.repeat(200))).ok).toBe(true);
  });
});
