import { env, z } from '@mealpeak/config';

export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9463),
  GRPC_PORT: env.port(50053),
  ...env.postgres,
  PG_SCHEMA: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('dispatch'),
  MIGRATE_ON_START: env.bool(true),
  ...env.kafka,
});

export type Config = z.output<typeof configSchema>;
