import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { codedError, err } from '@mealpeak/core';
import { loadConfig } from '@mealpeak/config';
import { createLogger } from '@mealpeak/telemetry';
import type { DispatchPort, IdempotencyStore, MerchantPort, OrderPort, Ports } from '../src/app/ports.ts';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

/** Where the committed document lives (root script: `pnpm openapi`). */
export const OPENAPI_PATH = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

// The document only needs the routes to exist: nothing is ever called, no network, no Redis.
const offline = async () => err(codedError('unavailable', 'OFFLINE', 'not connected'));
const offlinePorts: Ports = {
  orders: new Proxy({}, { get: () => offline }) as OrderPort,
  merchants: new Proxy({}, { get: () => offline }) as MerchantPort,
  dispatch: new Proxy({}, { get: () => offline }) as DispatchPort,
  positions: { isAvailable: () => false, write: offline as never },
};
const noStore: IdempotencyStore = {
  isAvailable: () => false,
  claim: offline as never,
  read: offline as never,
  complete: offline as never,
  release: offline as never,
};

/**
 * The OpenAPI document of the gateway as committed: built from the route schemas with the default
 * configuration (so the dev token route is in it), formatted by the repository's Prettier setup.
 */
export async function renderOpenApiDocument(): Promise<string> {
  const app = await buildApp({
    config: loadConfig(configSchema, {}),
    logger: createLogger({ service: 'gateway-openapi', level: 'silent' }),
    ports: offlinePorts,
    idempotency: noStore,
  });
  try {
    await app.ready();
    const json = JSON.stringify(app.swagger(), null, 2);
    return await format(json, { ...(await resolveConfig(OPENAPI_PATH)), filepath: OPENAPI_PATH });
  } finally {
    await app.close();
  }
}
