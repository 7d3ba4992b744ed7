import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveMetrics } from '@mealpeak/telemetry';

export interface OpsServerSettings {
  port: number;
  host?: string;
  /** Liveness: the process can make progress. Defaults to always true. */
  isLive?: () => boolean;
  /** Readiness: the replica should receive traffic (false while starting and while draining). */
  isReady: () => boolean;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operations port every service opens: /healthz (liveness), /readyz (readiness), /metrics
 * (Prometheus). Separate from the traffic port so probes and scrapes never queue behind requests.
 */
export async function startOpsServer(settings: OpsServerSettings): Promise<OpsServer> {
  const isLive = settings.isLive ?? (() => true);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean) => {
      res.statusCode = ok ? 200 : 503;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
    };
    switch (path) {
      case '/healthz':
      case '/livez':
        return probe(isLive());
      case '/readyz':
        return probe(settings.isReady());
      case '/metrics':
        return serveMetrics(req, res);
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
