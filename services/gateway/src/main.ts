import Fastify from 'fastify';
import { bootService } from '@mealpeak/runtime';
import { configSchema } from './config.ts';

await bootService('gateway', configSchema, async ({ config, lifecycle, logger }) => {
  const app = Fastify({ loggerInstance: logger });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) =>
    lifecycle.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'unavailable' }),
  );
  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  lifecycle.onShutdown('http server', () => app.close());
});
