/**
 * Loaded before the application with `node --import @mealpeak/telemetry/register src/main.ts`, so
 * the SDK and the module hooks exist before pg and ioredis are first imported.
 */
import { register, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { startTelemetry } from './sdk.ts';

const instrumented = ['pg', 'pg-pool', 'ioredis'];
const ratio = (raw: string | undefined): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (n >= 0 && n <= 1) return n;
  // As the OpenTelemetry SDKs do: ignored, but said (the logger does not exist yet).
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got ${JSON.stringify(raw)}); using the default` })}\n`,
  );
  return undefined;
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
  samplerFromEnvironment: Boolean(process.env['OTEL_TRACES_SAMPLER']),
});
