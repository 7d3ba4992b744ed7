import { bootService } from '@mealpeak/runtime';
import { connectInfra } from '@mealpeak/service-kit';
import { configSchema } from './config.ts';
import { runMerchant } from './service.ts';

await bootService('merchant', configSchema, async (ctx) =>
  runMerchant(ctx, await connectInfra(ctx, 'merchant', { redis: false })),
);
