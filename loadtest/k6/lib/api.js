import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { BASE_URL } from './env.js';

/**
 * Failed requests by status and error code (the body's `code`): http_req_failed only says that a
 * request failed, and a 503 may be shedding (OVERLOADED) or a service down (UPSTREAM_UNAVAILABLE).
 */
const failures = new Counter('failed_requests');

const callbacks = {};
/** k6 counts a response as failed unless its status is expected here (http_req_failed). */
const expectedCallback = (statuses) => {
  const key = statuses.join(',');
  callbacks[key] ??= http.expectedStatuses(...statuses);
  return callbacks[key];
};

/**
 * One request to the gateway. `endpoint` names it (the `name` tag: thresholds and the report go
 * by endpoint, not by URL); `expected` lists the statuses the flow treats as normal answers, e.g.
 * 409 TRACKING_NOT_AVAILABLE before acceptance. Everything else counts as a failed request.
 */
export function request(method, path, { token, body, endpoint, expected = [200], headers = {} }) {
  const res = http.request(method, `${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), {
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    tags: { name: endpoint.name },
    responseCallback: expectedCallback(expected),
    timeout: '15s',
  });
  noteFailure(res, endpoint, expected);
  return res;
}

/** Counts an answer the flow did not expect under its status and error code (NO_ANSWER: none). */
export function noteFailure(res, endpoint, expected) {
  if (expected.includes(res.status)) return;
  const code = res.status === 0 ? 'NO_ANSWER' : errorCode(res) || `HTTP_${res.status}`;
  failures.add(1, { name: endpoint.name, status: String(res.status), code });
}

/** The parsed JSON body, or undefined (empty body, not JSON, or a network error). */
export function json(res) {
  if (!res.body || res.status === 0) return undefined;
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/** The error code of an error answer (`{ code, message, requestId }`), or ''. */
export const errorCode = (res) => json(res)?.code ?? '';

/** What a client app retries, with the same Idempotency-Key: shed, limited, timed out, lost. */
export const retryable = (res) =>
  res.status === 0 ||
  res.status === 429 ||
  res.status === 503 ||
  res.status === 504 ||
  (res.status === 409 && errorCode(res) === 'IDEMPOTENCY_REQUEST_IN_PROGRESS');

/** Seconds to wait before a retry: Retry-After when given, capped (a test has no minutes to lose). */
export function retryDelay(res, attempt, capSeconds = 2) {
  const after = Number(res.headers['Retry-After']);
  const base = Number.isFinite(after) && after > 0 ? after : 0.25 * 2 ** attempt;
  return Math.min(base, capSeconds) * (0.75 + Math.random() * 0.5);
}

/** A uniformly random number in [a, b). */
export const between = (a, b) => a + Math.random() * (b - a);
export const pick = (list) => list[Math.floor(Math.random() * list.length)];
