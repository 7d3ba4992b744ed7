// Public face of the generated mealpeak.common.v1 package (proto/mealpeak/common/v1).
export * from './gen/mealpeak/common/v1/common.ts';
