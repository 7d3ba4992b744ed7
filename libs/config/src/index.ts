export { loadConfig, ConfigError } from './load-config.ts';
export * as env from './fragments.ts';
export { z } from 'zod';
