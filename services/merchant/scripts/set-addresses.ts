/**
 * Sets merchants' street addresses from a CSV file of `merchant_id,address` lines (a header line
 * is allowed; an address with commas is quoted), leaving the rest of each profile as it
 * is: the backfill for merchants onboarded before addresses existed (docs/operations.md).
 *   PG_URL=postgres://... pnpm exec node services/merchant/scripts/set-addresses.ts addresses.csv
 * Like seed.ts it works on the merchant database directly, through the same use case as the
 * SetMerchantAddress RPC (same validation). Unlike seed.ts it applies no migrations: run it once
 * the merchant service of this release has. It prints one line per row and exits 1 when any row
 * failed; rows are independent and setting an address again is harmless, so fix and rerun.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { env, loadConfig, z } from '@mealpeak/config';
import { createPool, pendingMigrations } from '@mealpeak/db';
import { createLogger, type Logger } from '@mealpeak/telemetry';
import { setAddresses, type BackfillReport } from '../src/app/address-backfill.ts';
import { scriptUseCases } from './script-use-cases.ts';

export interface AddressTarget {
  readonly pgUrl: string;
  readonly schema: string;
  readonly logger: Logger;
}

export async function setAddressesInto(target: AddressTarget, csv: string): Promise<BackfillReport> {
  const pool = createPool({
    url: target.pgUrl,
    max: 1,
    schema: target.schema,
    statementTimeoutMs: 10_000,
    applicationName: 'merchant-set-addresses',
  });
  try {
    const pending = await pendingMigrations(
      pool,
      target.schema,
      fileURLToPath(new URL('../migrations', import.meta.url)),
    );
    if (pending.length > 0)
      throw new Error(
        `schema ${target.schema} lacks migrations ${pending.join(', ')}: deploy the merchant service first`,
      );
    // The outbox is never written: an address change publishes no event.
    const useCases = scriptUseCases({
      pool,
      schema: target.schema,
      outboxPartitions: 1,
      logger: target.logger,
      script: 'the script',
    });
    return await setAddresses(useCases, csv);
  } finally {
    await pool.end();
  }
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: set-addresses.ts FILE.csv   (lines of merchant_id,address)\n');
    process.exit(2);
  }
  const config = loadConfig(
    z.object({
      ...env.postgres,
      PG_SCHEMA: z
        .string()
        .regex(/^[a-z_]+$/)
        .default('merchants'),
      LOG_LEVEL: env.logLevel,
    }),
  );
  const logger = createLogger({ service: 'merchant-set-addresses', level: config.LOG_LEVEL });
  try {
    const report = await setAddressesInto(
      { pgUrl: config.PG_URL, schema: config.PG_SCHEMA, logger },
      await readFile(file, 'utf8'),
    );
    for (const line of report.lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`${report.set} set, ${report.failed} failed\n`);
    process.exitCode = report.failed > 0 ? 1 : 0;
  } catch (e) {
    // Nothing was set: the file cannot be read, or the database cannot be used yet.
    process.stderr.write(`set-addresses: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
