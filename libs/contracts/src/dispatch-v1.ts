// Public face of the generated mealpeak.dispatch.v1 package (proto/mealpeak/dispatch/v1).
export * from './gen/mealpeak/dispatch/v1/dispatch.ts';
export * from './gen/mealpeak/dispatch/v1/events.ts';
