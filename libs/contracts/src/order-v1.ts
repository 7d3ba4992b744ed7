// Public face of the generated mealpeak.order.v1 package (proto/mealpeak/order/v1).
export * from './gen/mealpeak/order/v1/events.ts';
export * from './gen/mealpeak/order/v1/order.ts';
