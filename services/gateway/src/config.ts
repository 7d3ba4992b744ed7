import { env, z } from '@mealpeak/config';

export const configSchema = z.object({
  ...env.serviceBase,
  OPS_PORT: env.port(9460),
  HTTP_PORT: env.port(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
});

export type Config = z.output<typeof configSchema>;
