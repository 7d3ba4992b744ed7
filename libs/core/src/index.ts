export * from './result.ts';
export * from './coded-error.ts';
export * from './hash.ts';
export * from './geo.ts';
export * from './text.ts';
export * from './ids.ts';
export * from './transient.ts';
