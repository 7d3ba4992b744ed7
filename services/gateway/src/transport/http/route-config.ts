import type { Principal, Role } from '../../app/principal.ts';
import type { Priority } from './priority.ts';

/** Per-route settings the gateway's hooks read (`config` in a route definition). */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route, or 'public'. Every /v1 route must say (checked at start-up). */
    auth?: readonly Role[] | 'public';
    /** Non-idempotent POSTs: whether an Idempotency-Key header is required or merely honoured. */
    idempotency?: 'required' | 'optional';
    /**
     * Which requests go first when the gateway must shed (ADR 0020); 'normal' when unset, for a
     * verified caller of the route (every other request is sheddable).
     */
    priority?: Priority;
    /** Health and readiness: never shed, limited or logged, so probes see the truth under load. */
    probe?: boolean;
  }

  interface FastifyRequest {
    /** Set by the auth hook on routes with roles; null on public routes. */
    principal: Principal | null;
    /** When the request must be answered; every downstream deadline is capped by it. */
    deadline: Date;
    /** The error code answered, if any (and the service's own, when different): for the log line. */
    problem: { code: string; upstreamCode?: string } | null;
  }
}
