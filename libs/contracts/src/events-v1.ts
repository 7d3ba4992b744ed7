// Public face of the generated mealpeak.events.v1 package (proto/mealpeak/events/v1).
export * from './gen/mealpeak/events/v1/envelope.ts';
