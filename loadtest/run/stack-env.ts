import type { ServiceName } from '@mealpeak/stack';

/**
 * Service settings of a load-test stack that differ from production defaults, and why. Everything
 * else (admission control, load shedding, deadlines, pools) stays as deployed: it is what we test.
 * The same values belong in a Kubernetes environment that k6 is pointed at (docs/loadtesting.md).
 */
export function loadTestServiceEnv(): Partial<Record<ServiceName, Record<string, string>>> {
  return {
    gateway: {
      // 12 demo merchants take a whole city's lunch: each polls its queue every second and accepts
      // and readies several orders a second, over the default 600 a minute. Customers (a new one per
      // session), riders (~1 request/s each) and ops (the counts sampler) stay within their defaults.
      RATE_LIMIT_PER_MINUTE_MERCHANT: '1000000',
      // Each of the 12 merchant accounts is driven by many k6 VUs at once (a whole city's kitchens
      // behind one account), each batching up to 20 requests: together over the per-client cap
      // (20) a real merchant's tablet stays within. It applies to every role here, so customers,
      // riders and ops run without it in this profile (they send one request at a time anyway).
      MAX_IN_FLIGHT_PER_CLIENT: '1000',
      // Simulated riders travel kilometres in seconds, so their pings are jumps (ADR 0018). Flag
      // (the default, said here so a later default cannot strand them) pays the whole check, so
      // the run still measures it, and keeps them moving; the jumps are counted and logged.
      RIDER_POSITION_CHECK: 'flag',
    },
    order: {
      // Orders nobody accepts are rejected (MERCHANT_TIMEOUT) after 30 s instead of 3 min, so a run
      // ends with every order in a terminal state within its drain time.
      ACCEPT_TIMEOUT_SECONDS: '30',
    },
    'rider-dispatch': {
      // A round every second instead of every 5 s: simulated riders travel in seconds, not minutes.
      ROUND_INTERVAL_MS: '1000',
      // Unanswered offers go back to the pool after 15 s (riders answer within a poll or two).
      OFFER_TIMEOUT_MS: '15000',
    },
  };
}
