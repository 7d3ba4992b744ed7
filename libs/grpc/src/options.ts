import { env } from '@mealpeak/config';
import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Server side. The connection age is how long a replica added by the autoscaler waits for calls
 * from clients already connected: grpc-js's DNS resolver looks the headless Service up again only
 * when a connection goes away (`grpc.dns_min_time_between_resolutions_ms` is a lower bound
 * between look-ups, not a period), so GOAWAY at max age is what makes clients re-resolve. 20 s
 * (±10 % jitter from grpc-js, so one server's clients do not reconnect together) instead of 2
 * minutes costs a TCP and HTTP/2 handshake per client and server every 20 s, while the other
 * replicas keep serving.
 */
export const SERVER_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // A peer enforcing it (gRPC C-core, Go, Java) answers pings more frequent than this with
  // GOAWAY too_many_pings, so it stays below the clients' keepalive time. grpc-js servers (ours,
  // 1.14) do not read it; kept right for any other server or proxy that takes these options.
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.max_connection_age_ms': 20_000,
  // In-flight calls finish on the old connection after GOAWAY: the longest deadline any service's
  // configuration allows for a call (env.callDeadlineMs).
  'grpc.max_connection_age_grace_ms': env.MAX_CALL_DEADLINE_MS,
};

/**
 * Metadata key of the caller's deadline as epoch milliseconds. gRPC sends a deadline as a timeout
 * that the server starts counting when it reads the call: a replica that froze with calls in its
 * socket buffer runs them when it wakes, each with a fresh deadline, long after their callers gave
 * up (a rider's accept answered 504 that lands anyway). The absolute time lets the server refuse
 * those instead (server.ts).
 */
export const DEADLINE_KEY = 'mealpeak-deadline-ms';

/** Metadata key of the shared secret internal calls carry (GRPC_INTERNAL_TOKEN). */
export const INTERNAL_TOKEN_KEY = 'mealpeak-internal-token';

export const CLIENT_OPTIONS: ChannelOptions = {
  // The second line of defence behind OUTLIER_DETECTION: a connection to a frozen pod or a lost
  // node sends no FIN or RST, and the transport fails only when a keepalive ping goes unanswered
  // (keepalive time + timeout, ~15 s). That also ends its in-flight calls (UNAVAILABLE: retried
  // where idempotent), covers a client with too little traffic for outlier detection to judge,
  // and keeps the subchannel out of the rotation until it connects again.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_retries': 1,
  'grpc.dns_min_time_between_resolutions_ms': 5_000,
};

/**
 * grpc-js's `outlier_detection` policy around round_robin (gRFC A50; on by default in grpc-js
 * 1.14, off only with GRPC_EXPERIMENTAL_ENABLE_OUTLIER_DETECTION=false). Each client channel
 * counts, per replica and per interval, the calls that ended OK and not OK, and takes a replica
 * whose share of failures was above the threshold out of the rotation for a while. A frozen
 * replica fails every call it is given (DEADLINE_EXCEEDED), so it is out about one deadline plus
 * one or two intervals after it froze, instead of the ~15 s keepalive takes. See
 * docs/adr/0023-outlier-detection-for-frozen-replicas.md.
 *
 * grpc-js counts every status other than OK as a failure, our domain answers too (NOT_FOUND,
 * FAILED_PRECONDITION, RESOURCE_EXHAUSTED...: libs/grpc/src/errors.ts), and cannot be told
 * otherwise. Hence failure percentage rather than success rate, and these numbers:
 * - success-rate ejection compares replicas with each other (mean minus stdev_factor standard
 *   deviations); with 2 replicas the worse one is always exactly one deviation below the mean, so
 *   it ejects on noise or never, and its default wants 5 replicas. Not used.
 * - threshold 99 %: a frozen or unreachable replica fails 100 % of its calls; a healthy one stays
 *   in while more than 1 call in 100 it answers is OK, however many of the others are domain
 *   errors. 90 % was too close to what abuse produces: 800/s of cancels of random order ids
 *   (NOT_FOUND) beside 100/s of honest calls is 89 % failures on the gateway's order channel, and
 *   the ejection would have halved a 2-replica service for the attacker. Only a stream of calls
 *   that all but fail (bad requests alone on a channel, an outage of a shared database) ejects a
 *   replica that is not at fault, and then only one (below).
 * - max ejection percent 10: grpc-js ejects only while less than this share is out, so at most
 *   one replica at a time up to 10 replicas (one of 2: half the capacity for that caller, so
 *   ejecting must be rare, hence the threshold). Failures that hit every
 *   replica alike take that one out of this client's rotation, not half of them.
 * - minimum hosts 2: a single replica is never judged, so never ejected (that would fail every
 *   call until its return, instead of the ones it fails itself).
 * - request volume 10 calls per replica per interval: the failures of one bad request (at most 4
 *   attempts) never reach it on their own, and a replica is judged on a sample, not on a call or
 *   two. A channel with less traffic than this to a replica is left to keepalive.
 * - interval 1 s: the check is a loop over the replicas; the ejection comes after one deadline
 *   (the failures are counted when the call ends) plus at most two intervals.
 * - ejection 10 s (times the replica's recent ejections, which count down by one per interval it
 *   spends in the rotation; at most 30 s): by then keepalive has closed a frozen replica's
 *   connection anyway, and a replica that froze for a moment (a long GC, a blocked event loop)
 *   is back soon. One that still fails is ejected again a deadline and an interval or two after
 *   its return.
 */
export const OUTLIER_DETECTION = {
  intervalMs: 1_000,
  baseEjectionTimeMs: 10_000,
  maxEjectionTimeMs: 30_000,
  maxEjectionPercent: 10,
  failurePercentage: { threshold: 99, minimumHosts: 2, requestVolume: 10 },
} as const;
