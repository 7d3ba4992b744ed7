// Public face of the generated mealpeak.merchant.v1 package (proto/mealpeak/merchant/v1).
export * from './gen/mealpeak/merchant/v1/events.ts';
export * from './gen/mealpeak/merchant/v1/merchant.ts';
