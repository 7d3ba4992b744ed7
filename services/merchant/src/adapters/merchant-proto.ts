import {
  MerchantStatus as ProtoStatus,
  type MenuItem as ProtoMenuItem,
  type Merchant as ProtoMerchant,
} from '@mealpeak/contracts/merchant.v1';
import type { OrderLine } from '@mealpeak/contracts/order.v1';
import type { PricedLine } from '../domain/reservation.ts';
import type { MenuItem, MerchantStatus } from '../domain/types.ts';
import type { MerchantView } from '../app/views.ts';

/** Domain <-> merchant.v1 mapping, shared by the gRPC handlers and the status events. */

const TO_PROTO: Record<MerchantStatus, ProtoStatus> = {
  OPEN: ProtoStatus.MERCHANT_STATUS_OPEN,
  PAUSED: ProtoStatus.MERCHANT_STATUS_PAUSED,
  AUTO_PAUSED: ProtoStatus.MERCHANT_STATUS_AUTO_PAUSED,
  CLOSED: ProtoStatus.MERCHANT_STATUS_CLOSED,
};

export const toProtoStatus = (status: MerchantStatus): ProtoStatus => TO_PROTO[status];

/** The status by name ('UNSPECIFIED' for 0 and unknown values): the use case judges it. */
export function statusName(status: number): string {
  const found = Object.entries(TO_PROTO).find(([, n]) => n === status);
  return found ? found[0] : 'UNSPECIFIED';
}

export const toProtoMerchant = (m: MerchantView): ProtoMerchant => ({
  id: m.id,
  name: m.name,
  location: { lat: m.location.lat, lng: m.location.lng },
  timeZone: m.timeZone,
  openingHours: m.openingHours.map((w) => ({ ...w })),
  status: toProtoStatus(m.status),
  kitchenCapacity: m.kitchenCapacity,
  backlog: m.backlog,
  prepEstimateSeconds: m.prepEstimateSeconds,
  autoPauseBacklog: m.autoPauseBacklog,
  deliveryRadiusM: m.deliveryRadiusM,
  address: m.address,
  basePrepSeconds: m.basePrepSeconds,
  currency: m.currency,
});

export const toProtoMenuItem = (item: MenuItem): ProtoMenuItem => ({
  id: item.id,
  merchantId: item.merchantId,
  name: item.name,
  description: item.description,
  price: { amountMinor: item.priceMinor, currency: item.currency },
  stock: item.stock,
  available: item.available,
});

export const toProtoOrderLine = (line: PricedLine, currency: string): OrderLine => ({
  itemId: line.itemId,
  name: line.name,
  quantity: line.quantity,
  unitPrice: { amountMinor: line.unitPriceMinor, currency },
  lineTotal: { amountMinor: line.lineTotalMinor, currency },
});
