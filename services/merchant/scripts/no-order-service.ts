import { codedError, err } from '@mealpeak/core';
import type { OrderService } from '../src/app/ports.ts';

/** The order service port for the scripts, which write merchants and menus and never orders. */
export function noOrderService(script: string): OrderService {
  const away = async () => err(codedError('unavailable', 'NOT_CONNECTED', `${script} has no order service`));
  return { transition: away, getOrder: away };
}
