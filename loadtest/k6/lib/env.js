// Settings of a run, from k6's environment (`k6 run -e NAME=value` or the process environment).
// Read through globalThis so the scripts lint without k6-specific globals.

/** @type {Record<string, string | undefined>} */
const ENV = /** @type {any} */ (globalThis).__ENV ?? {};

export const env = (name, fallback) => {
  const value = ENV[name];
  return value === undefined || value === '' ? fallback : value;
};

export const num = (name, fallback, { min = -Infinity, max = Infinity } = {}) => {
  const raw = env(name, undefined);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  if (n < min || n > max)
    throw new Error(
      `${name} must be ${max === Infinity ? `at least ${min}` : `from ${min} to ${max}`}, got ${raw}`,
    );
  return n;
};

/** The gateway: the replica mode, `pnpm start`, or a Kubernetes ingress. */
export const BASE_URL = env('BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');

/**
 * Tokens are signed here with the gateway's HS256 secret (the dev default unless JWT_SECRET is
 * given), as the identity provider of a deployment would: no dev-token endpoint, no rate limit on it.
 */
export const JWT_SECRET = env('JWT_SECRET', 'mealpeak-dev-only-secret-do-not-use-in-production');

/** The `aud` the tokens name: the gateway's JWT_AUDIENCE, which refuses tokens without it. Empty: none. */
export const JWT_AUDIENCE = env('JWT_AUDIENCE', '');

/**
 * Prefix of this run's customer and rider ids, so runs never meet and reconciliation finds ours.
 * Init code runs once per VU, so a default made here would differ between VUs: setup() makes it.
 */
export const runIdFromEnv = () => env('RUN_ID', `lt${Date.now().toString(36)}`);

/** Where handleSummary writes summary.json and summary.html. */
export const REPORT_DIR = env('REPORT_DIR', 'loadtest/results/latest').replace(/\/+$/, '');

/** The demo city (services/merchant/src/app/seed.ts): centre and merchant ids. */
export const CITY = { lat: num('CITY_LAT', 52.52), lng: num('CITY_LNG', 13.405) };
const demoMerchantId = (n) => `6d0c0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const MERCHANT_IDS = env('MERCHANT_IDS', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (MERCHANT_IDS.length === 0) for (let n = 1; n <= 12; n++) MERCHANT_IDS.push(demoMerchantId(n));

/** Scales every p99 limit (e.g. 2 on a slower machine); the limits themselves are in endpoints.js. */
export const P99_SCALE = num('P99_SCALE', 1, { min: 0.01, max: 100 });

/**
 * Share of failed requests that fails the run (0.1%). Chaos runs (the runner's --chaos) default to
 * 1%: requests in flight on a killed gateway get no answer, and the survivor sheds load while it
 * carries its twin's share.
 */
export const MAX_ERROR_RATE = num('MAX_ERROR_RATE', 0.001, { min: 0, max: 1 });
