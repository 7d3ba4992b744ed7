import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Keepalive and connection-age settings. Connections are recycled every few minutes so clients
 * re-resolve DNS and spread over replicas added by the autoscaler (a long-lived HTTP/2 connection
 * would otherwise pin a client to the pods that existed when it connected).
 */
export const SERVER_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Must be below the clients' keepalive_time_ms or the server answers pings with GOAWAY.
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  'grpc.max_connection_age_ms': 120_000,
  'grpc.max_connection_age_grace_ms': 30_000,
};

/** Metadata key of the shared secret internal calls carry (GRPC_INTERNAL_TOKEN). */
export const INTERNAL_TOKEN_KEY = 'mealpeak-internal-token';

export const CLIENT_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.enable_retries': 1,
  'grpc.dns_min_time_between_resolutions_ms': 5_000,
};
