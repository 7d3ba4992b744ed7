/**
 * Loaded before the application with `node --import @mealpeak/telemetry/register src/main.ts`, so
 * the SDK and the module hooks exist before pg and ioredis are first imported.
 */
import { register, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { startTelemetry, tracesSamplerFromEnv } from './sdk.ts';

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

const sampler = tracesSamplerFromEnv(process.env);
if (!sampler.ok) {
  // Start-up config: refuse to run rather than trace everything at peak (the logger does not exist yet).
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: sampler.message })}\n`);
  process.exit(1);
}
// The SDK reads the ratio from the environment when it builds the sampler.
if (sampler.samplerArg !== undefined) process.env['OTEL_TRACES_SAMPLER_ARG'] = sampler.samplerArg;

startTelemetry({
  // pnpm sets npm_package_name (@mealpeak/order) for `pnpm start`; deployments set OTEL_SERVICE_NAME.
  serviceName:
    process.env['OTEL_SERVICE_NAME'] ??
    process.env['npm_package_name']?.replace(/^@mealpeak\//, '') ??
    'mealpeak',
  otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
  sampleRatio: ratio(process.env['OTEL_TRACES_SAMPLER_ARG']),
  samplerFromEnvironment: sampler.samplerFromEnvironment,
});
