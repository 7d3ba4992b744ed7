/**
 * Prepares a deployment the runner does not own (a Kubernetes staging cluster) for the spike tests,
 * as the runner does for its own replica mode: seeds the demo city's merchants into the merchant
 * database (when PG_URL is given) and applies the load profile through the merchant service's gRPC
 * API (open around the clock, big kitchens, deep stock: demo-city.ts LOAD_PROFILE).
 *
 *   kubectl port-forward svc/mealpeak-merchant 50052:50052 &
 *   [PG_URL=postgres://...merchant database...] GRPC_INTERNAL_TOKEN=... pnpm exec node loadtest/run/prepare-city.ts 127.0.0.1:50052
 *
 * See docs/loadtesting.md#against-a-kubernetes-deployment. Never against production.
 */
import { applyLoadProfile, seedDemoMerchants } from './demo-city.ts';

const target = process.argv[2];
if (!target) {
  console.error('usage: prepare-city.ts <merchant gRPC target, e.g. 127.0.0.1:50052>  (PG_URL: seed first)');
  process.exit(64);
}
const pgUrl = process.env['PG_URL'];
if (pgUrl) console.log(await seedDemoMerchants(pgUrl));
else console.log('PG_URL not set: not seeding, expecting the demo merchants to be there');
const p = await applyLoadProfile(target, undefined, process.env['GRPC_INTERNAL_TOKEN']);
console.log(`load profile: ${p.merchants} merchants open around the clock, ${p.items} dishes restocked`);
