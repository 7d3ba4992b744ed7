import { codedError, err, ok } from '@mealpeak/core';
import { ActorRole } from '@mealpeak/contracts/common.v1';
import { OrderCommand, OrderServiceClient, OrderServiceService } from '@mealpeak/contracts/order.v1';
import { call, createGrpcClient } from '@mealpeak/grpc';
import type { CallOptions, MerchantCommand, OrderService } from '../app/ports.ts';

export interface OrderServiceClientSettings {
  /** host:port or dns:///name:port (ORDER_GRPC_TARGET). */
  target: string;
  /** Our own deadline per call (GRPC_DEADLINE_MS); the caller's deadline caps it. */
  deadlineMs: number;
  /** GRPC_INTERNAL_TOKEN, sent with every call. */
  internalToken?: string | undefined;
}

/** Time kept back from the caller's deadline so our answer (even an error) reaches it in time. */
const HEADROOM_MS = 50;

const COMMANDS: Record<MerchantCommand['kind'], OrderCommand> = {
  accept: OrderCommand.ORDER_COMMAND_ACCEPT,
  reject: OrderCommand.ORDER_COMMAND_REJECT,
  mark_ready: OrderCommand.ORDER_COMMAND_MARK_READY,
};

const noOrder = () =>
  err(codedError('unavailable', 'ORDER_SERVICE_BAD_REPLY', 'the order service sent no order'));

/** The order service over gRPC; its error codes (ILLEGAL_TRANSITION, ...) come back unchanged. */
export function createOrderServiceClient(
  settings: OrderServiceClientSettings,
): OrderService & { close(): void } {
  const client = createGrpcClient(OrderServiceClient, OrderServiceService, {
    target: settings.target,
    defaultDeadlineMs: settings.deadlineMs,
    internalToken: settings.internalToken,
    // TransitionOrder is not retried: a lost reply after a successful reject would come back as
    // ILLEGAL_TRANSITION (accept and ready are repeats the order service absorbs, reject is not),
    // and the kitchen view heals from the event anyway.
    idempotent: ['getOrder'],
  });
  const callSettings = (options: CallOptions) => ({
    deadlineMs: settings.deadlineMs,
    parentDeadline: options.deadline && new Date(options.deadline.getTime() - HEADROOM_MS),
  });

  return {
    async transition(orderId, merchantId, command, options) {
      const result = await call(
        client.transitionOrder.bind(client),
        {
          orderId,
          command: COMMANDS[command.kind],
          actor:
            command.kind === 'reject' && command.bySystem
              ? { role: ActorRole.ACTOR_ROLE_SYSTEM, id: 'merchant-service' }
              : { role: ActorRole.ACTOR_ROLE_MERCHANT, id: merchantId },
          reason: command.kind === 'reject' ? command.reason : '',
          prepSeconds: command.kind === 'accept' ? command.prepSeconds : 0,
          riderId: '',
        },
        callSettings(options),
      );
      if (!result.ok) return result;
      return result.value.order ? ok(result.value.order) : noOrder();
    },

    async getOrder(orderId, options) {
      const result = await call(client.getOrder.bind(client), { orderId }, callSettings(options));
      if (!result.ok) return result.error.kind === 'not_found' ? ok(undefined) : result;
      return result.value.order ? ok(result.value.order) : noOrder();
    },

    close: () => client.close(),
  };
}
