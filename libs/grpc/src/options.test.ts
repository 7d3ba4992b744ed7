import { describe, expect, it } from 'vitest';
import { env } from '@mealpeak/config';
import { CLIENT_OPTIONS, SERVER_OPTIONS } from './options.ts';

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

  it('drops a frozen or unreachable replica from the rotation within 15 s', () => {
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
