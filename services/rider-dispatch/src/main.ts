import { bootService } from '@mealpeak/runtime';
import { connectInfra } from '@mealpeak/service-kit';
import { configSchema } from './config.ts';
import { runDispatch } from './service.ts';

await bootService('rider-dispatch', configSchema, async (ctx) =>
  runDispatch(ctx, await connectInfra(ctx, 'rider-dispatch', { redis: true })),
);
