import { describe, expect, it } from 'vitest';
import { env } from '@mealpeak/config';
import { DEFAULT_RETRY } from './client.ts';
import { CLIENT_OPTIONS, OUTLIER_DETECTION, SERVER_OPTIONS } from './options.ts';

const n = (options: typeof CLIENT_OPTIONS, key: string): number => {
  const value = options[key] as unknown;
  if (typeof value !== 'number') throw new Error(`${key} is not set`);
  return value;
};

describe('connection options', () => {
  it('lets a client find a replica added by the autoscaler within half a minute', () => {
    // grpc-js re-resolves DNS only when a connection goes away; the server's max age (+10 %
    // jitter) plus the resolver's minimum spacing bounds how long a new replica waits.
    const age = n(SERVER_OPTIONS, 'grpc.max_connection_age_ms');
    const discovery = age * 1.1 + n(CLIENT_OPTIONS, 'grpc.dns_min_time_between_resolutions_ms');
    expect(discovery).toBeLessThanOrEqual(30_000);
    // A connection that lives too short a time costs a handshake per call burst.
    expect(age).toBeGreaterThanOrEqual(10_000);
  });

  it('lets in-flight calls finish after GOAWAY for the longest deadline a config allows', () => {
    expect(n(SERVER_OPTIONS, 'grpc.max_connection_age_grace_ms')).toBeGreaterThanOrEqual(
      env.MAX_CALL_DEADLINE_MS,
    );
    expect(env.callDeadlineMs(2_000).safeParse(String(env.MAX_CALL_DEADLINE_MS)).success).toBe(true);
    expect(env.callDeadlineMs(2_000).safeParse(String(env.MAX_CALL_DEADLINE_MS + 1)).success).toBe(false);
  });

  it('closes the connection to a frozen or unreachable replica within 15 s, behind outlier detection', () => {
    const detection =
      n(CLIENT_OPTIONS, 'grpc.keepalive_time_ms') + n(CLIENT_OPTIONS, 'grpc.keepalive_timeout_ms');
    expect(detection).toBeLessThanOrEqual(15_000);
  });

  it('pings no more often than a server that enforces a minimum ping interval allows', () => {
    // Below it, C-core/Go/Java servers answer GOAWAY too_many_pings and the client backs off.
    expect(n(CLIENT_OPTIONS, 'grpc.keepalive_time_ms')).toBeGreaterThan(
      n(SERVER_OPTIONS, 'grpc.http2.min_ping_interval_without_data_ms'),
    );
  });
});

describe('outlier detection', () => {
  const od = OUTLIER_DETECTION;
  // grpc-js (like gRFC A50) ejects one more replica only while the share already out is below
  // max_ejection_percent.
  const mostEjected = (replicas: number): number => {
    let out = 0;
    while (out < replicas && (out * 100) / replicas < od.maxEjectionPercent) out += 1;
    return out;
  };

  it('never ejects the last replica, and takes out one at a time up to ten', () => {
    // One replica is never judged at all: failing some calls beats failing all of them.
    expect(od.failurePercentage.minimumHosts).toBeGreaterThanOrEqual(2);
    for (let replicas = 2; replicas <= 10; replicas += 1) expect(mostEjected(replicas)).toBe(1);
    for (let replicas = 11; replicas <= 100; replicas += 1) {
      expect(mostEjected(replicas)).toBeLessThanOrEqual(Math.ceil(replicas / 10));
    }
  });

  it('judges a replica that fails every call within a couple of seconds of its deadlines', () => {
    // Ejection needs a share of failures strictly above the threshold: a frozen replica's 100 %.
    expect(od.failurePercentage.threshold).toBeLessThan(100);
    // Failures count when the call ends (its deadline), then at most two checks.
    expect(2 * od.intervalMs).toBeLessThanOrEqual(2_000);
  });

  it('ejects neither for the failures of one bad request nor for ordinary domain errors', () => {
    // Every attempt of a retried call counts; one request never fills the volume on its own.
    expect(od.failurePercentage.requestVolume).toBeGreaterThan(DEFAULT_RETRY.maxAttempts);
    // grpc-js counts NOT_FOUND, FAILED_PRECONDITION... as failures: only near-total failure ejects.
    expect(od.failurePercentage.threshold).toBeGreaterThanOrEqual(99);
  });

  it('brings an ejected replica back before keepalive would have given up on it', () => {
    expect(od.baseEjectionTimeMs).toBeLessThanOrEqual(
      n(CLIENT_OPTIONS, 'grpc.keepalive_time_ms') + n(CLIENT_OPTIONS, 'grpc.keepalive_timeout_ms'),
    );
    expect(od.maxEjectionTimeMs).toBeGreaterThanOrEqual(od.baseEjectionTimeMs);
  });
});
