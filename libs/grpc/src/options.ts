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

/** Metadata key of the shared secret internal calls carry (GRPC_INTERNAL_TOKEN). */
export const INTERNAL_TOKEN_KEY = 'mealpeak-internal-token';

export const CLIENT_OPTIONS: ChannelOptions = {
  // round_robin keeps picking a connection until its transport fails; to a frozen pod or a lost
  // node nothing fails until a keepalive ping goes unanswered: keepalive time + timeout.
  // Together ~15 s (was 40 s).
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_retries': 1,
  'grpc.dns_min_time_between_resolutions_ms': 5_000,
};
