/** Applies the order migrations with the service's own configuration: `pnpm migrate order`. */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@mealpeak/config';
import { migrateNow } from '@mealpeak/service-kit';
import { configSchema } from '../src/config.ts';

const report = await migrateNow(
  loadConfig(configSchema),
  'order',
  fileURLToPath(new URL('../migrations', import.meta.url)),
);
process.stdout.write(`${JSON.stringify({ service: 'order', ...report })}\n`);
