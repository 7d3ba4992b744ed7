/**
 * Loaded before the application with `node --import @mealpeak/telemetry/register src/main.ts`, so
 * the SDK and the module hooks exist before pg and ioredis are first imported.
 */
import { register, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { startTelemetry } from './sdk.ts';

const instrumented = ['pg', 'pg-pool', 'ioredis'];
const ratio = (raw: string | undefined): number | undefined => {
  const n = raw === undefined ? NaN : Number(raw);
  return n >= 0 && n <= 1 ? n : undefined;
};
if (supportsSyncHooks()) register({ include: instrumented });

startTelemetry({
  // pnpm sets npm_package_name (@mealpeak/order) for `pnpm start`; deployments set OTEL_SERVICE_NAME.
  serviceName:
    process.env['OTEL_SERVICE_NAME'] ??
    process.env['npm_package_name']?.replace(/^@mealpeak\//, '') ??
    'mealpeak',
  otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
  sampleRatio: ratio(process.env['OTEL_TRACES_SAMPLER_ARG']),
});
