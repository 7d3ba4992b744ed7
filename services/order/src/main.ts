import { bootService } from '@mealpeak/runtime';
import { connectInfra } from '@mealpeak/service-kit';
import { configSchema } from './config.ts';
import { runOrder } from './service.ts';

await bootService('order', configSchema, async (ctx) =>
  runOrder(ctx, await connectInfra(ctx, 'order', { redis: false })),
);
