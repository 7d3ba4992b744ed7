/** Applies the rider-dispatch migrations with the service's own configuration: `pnpm migrate rider-dispatch`. */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@mealpeak/config';
import { migrateNow } from '@mealpeak/service-kit';
import { configSchema } from '../src/config.ts';

const report = await migrateNow(
  loadConfig(configSchema),
  'rider-dispatch',
  fileURLToPath(new URL('../migrations', import.meta.url)),
);
process.stdout.write(`${JSON.stringify({ service: 'rider-dispatch', ...report })}\n`);
