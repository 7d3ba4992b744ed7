import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What the alert rules must be able to see. promcheck (scripts/k8s-validate.sh) parses the PromQL;
 * these tests check that the alerts ask the right questions of series that carry the labels they
 * select on. The workspace has no YAML parser: this reads the layout rules.yaml is written in
 * (`      - record:` / `      - alert:` items, `expr: >-` blocks), and throws on anything else.
 */

const root = resolve(import.meta.dirname, '../..');
const rulesText = readFileSync(join(root, 'deploy/helm/mealpeak/files/prometheus/rules.yaml'), 'utf8');
const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
const dashboardsDir = join(root, 'deploy/helm/mealpeak/files/dashboards');

interface Rule {
  kind: 'record' | 'alert';
  name: string;
  expr: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

function parseRules(text: string): Rule[] {
  const items = text.split(/^ {6}- (?=record:|alert:)/m).slice(1);
  return items.map((item) => {
    const head = /^(record|alert): (\S+)\n/.exec(item);
    if (!head) throw new Error(`rule laid out unlike rules.yaml:\n${item}`);
    // The expression: either inline or a folded block indented past `expr:`.
    const block = /^ {8}expr: >-\n((?: {10}.*\n| *\n)+)/m.exec(item)?.[1];
    const inline = /^ {8}expr: (?!>-)(.+)$/m.exec(item)?.[1];
    const expr = (block ?? inline ?? '').replace(/\s+/g, ' ').trim();
    if (!expr) throw new Error(`rule ${head[2]} without an expr`);
    const mapOf = (key: string): Record<string, string> => {
      const body = new RegExp(`^ {8}${key}:\\n((?: {10}.+\\n?)+)`, 'm').exec(item)?.[1] ?? '';
      return Object.fromEntries(
        [...body.matchAll(/^ {10}(\w+): '?(.*?)'?$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
    };
    return {
      kind: head[1] as 'record' | 'alert',
      name: head[2] ?? '',
      expr,
      annotations: mapOf('annotations'),
      labels: mapOf('labels'),
    };
  });
}

const rules = parseRules(rulesText);
const alerts = rules.filter((r) => r.kind === 'alert');
const alert = (name: string): Rule => {
  const found = alerts.find((a) => a.name === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
};

/** The labels a recording rule keeps: its outer `sum/max by (...)`. */
function keptLabels(rule: Rule): Set<string> {
  const by = /^\w+ by \(([^)]*)\)/.exec(rule.expr)?.[1];
  if (by === undefined) throw new Error(`recording rule ${rule.name} does not start with an aggregation by`);
  return new Set(by.split(',').map((l) => l.trim()));
}

/** Every `mealpeak:...{matchers}` selector of an expression, with the label names it matches on. */
function recordedSelectors(expr: string): { series: string; labels: string[] }[] {
  return [...expr.matchAll(/(mealpeak:[\w:]+)\{([^}]*)\}/g)].map((m) => ({
    series: m[1] ?? '',
    labels: [...(m[2] ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1] ?? ''),
  }));
}

const recorded = new Map(rules.filter((r) => r.kind === 'record').map((r) => [r.name, keptLabels(r)]));

function selectorsMissingLabels(exprs: readonly { where: string; expr: string }[]): string[] {
  const missing: string[] = [];
  for (const { where, expr } of exprs) {
    for (const { series, labels } of recordedSelectors(expr)) {
      const kept = recorded.get(series);
      if (!kept) {
        missing.push(`${where}: ${series} is not recorded`);
        continue;
      }
      for (const label of labels) if (!kept.has(label)) missing.push(`${where}: ${series} has no ${label}`);
    }
  }
  return missing;
}

/** Every panel query of the Grafana dashboards. */
function dashboardExprs(): { where: string; expr: string }[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as {
        panels: { title: string; targets?: { expr?: string }[] }[];
      };
      return dashboard.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `${file}: ${p.title}`, expr: t.expr ?? '' })),
      );
    });
}

describe('the alert rules', () => {
  it('read their layout (the parser found every rule)', () => {
    expect(rules.length).toBe((rulesText.match(/^ {6}- (record|alert):/gm) ?? []).length);
    expect(alerts.length).toBeGreaterThan(10);
  });

  it('select only on labels the recording rules keep', () => {
    expect(selectorsMissingLabels(alerts.map((a) => ({ where: a.name, expr: a.expr })))).toEqual([]);
  });

  it('and so do the dashboards', () => {
    expect(selectorsMissingLabels(dashboardExprs())).toEqual([]);
  });

  it('never add up a gauge that every replica reports for the whole platform', () => {
    // Each replica counts the same table (dispatch's queue, the outbox): sum() multiplies the
    // figure by the replica count. max() is the figure.
    const global = [
      'mealpeak_dispatch_unassigned_orders',
      'mealpeak_dispatch_unassigned_oldest_age',
      'mealpeak_dispatch_picked_up_silent_orders',
      'mealpeak_outbox_pending',
      'mealpeak_outbox_oldest_age',
    ];
    const summed = [...rules.map((r) => ({ where: r.name, expr: r.expr })), ...dashboardExprs()].filter(
      ({ expr }) => global.some((g) => new RegExp(`sum(?: by \\([^)]*\\))? ?\\([^()]*${g}`).test(expr)),
    );
    expect(summed).toEqual([]);
  });

  it('keep the route and method in the gateway series, so one route can be watched', () => {
    for (const series of [
      'mealpeak:http_requests:rate1m',
      'mealpeak:http_requests:rate5m',
      'mealpeak:http_request_duration_seconds_bucket:rate5m',
    ]) {
      expect([...(recorded.get(series) ?? [])], series).toEqual(
        expect.arrayContaining(['http_route', 'http_request_method']),
      );
    }
  });

  it('watch order placement on its own: its 5xx ratio and its p99', () => {
    const placement = /http_request_method="POST", http_route="\/v1\/orders"/;
    const errors = alert('MealpeakOrderPlacementErrorRateHigh');
    expect(errors.expr).toMatch(placement);
    expect(errors.expr).toContain('http_response_status_code=~"5.."');
    expect(errors.labels['severity']).toBe('critical');
    const latency = alert('MealpeakOrderPlacementP99LatencyHigh');
    expect(latency.expr).toMatch(/^histogram_quantile\(0\.99,/);
    expect(latency.expr).toMatch(placement);
  });

  it('watch the other write routes one by one', () => {
    const actions = alert('MealpeakGatewayActionErrorRateHigh');
    expect(actions.expr).toContain('sum by (namespace, job, http_request_method, http_route)');
    expect(actions.expr).toContain('http_request_method=~"POST|PUT|PATCH|DELETE"');
  });

  it('page on any call refused for a wrong internal token, on either side of it', () => {
    const refused = alert('MealpeakGrpcUnauthenticated');
    expect(refused.expr).toContain('mealpeak:rpc_requests:rate1m{rpc_grpc_status_code="16"}');
    expect(refused.expr).toContain('mealpeak:rpc_client_requests:rate1m{rpc_grpc_status_code="16"}');
    expect(refused.labels['severity']).toBe('critical');
  });

  it('page when the gateway sheds the requests it keeps for last, not for one client over budget', () => {
    const critical = alert('MealpeakGatewayShedsCriticalRequests');
    expect(critical.expr).toContain('mealpeak_gateway_admission_refused_total{');
    expect(critical.expr).toContain('mealpeak_admission_priority="critical"');
    expect(critical.expr).toContain('mealpeak_admission_reason!~"rate_limit|client_concurrency"');
    expect(critical.labels['severity']).toBe('critical');
  });

  it('watch scaling that is asked for and does not happen, on metric names that exist', () => {
    // kube-state-metrics v2 names; the pod name pattern is <release>-<service>-<hash>-<suffix>.
    const pending = alert('MealpeakPodsPending');
    expect(pending.expr).toContain(
      'kube_pod_status_phase{phase="Pending", pod=~".+-(gateway|order|merchant|rider-dispatch)-',
    );
    expect(pending.expr).toContain('time() - kube_pod_created > 300');
    // Against available replicas: the HPA's own current count includes Pending pods.
    const stalled = alert('MealpeakScaleOutStalled');
    expect(stalled.expr).toContain('min_over_time(kube_horizontalpodautoscaler_status_desired_replicas{');
    expect(stalled.expr).toContain(
      'max by (namespace, deployment) (kube_deployment_status_replicas_available)',
    );
    expect(stalled.expr).toContain('"deployment", "$1", "horizontalpodautoscaler", "(?:keda-hpa-)?(.*)"');
    // kube-state-metrics writes condition statuses in lower case.
    const inactive = alert('MealpeakAutoscalerCannotCompute');
    expect(inactive.expr).toContain('condition="ScalingActive", status="false"');
    // KEDA 2.20's counter (pkg/metricscollector/prommetrics.go); its namespace label may arrive
    // as exported_namespace, so the alert keeps both.
    const keda = alert('MealpeakKedaScalerErrors');
    expect(keda.expr).toContain('rate(keda_scaled_object_errors_total{');
    expect(keda.expr).toContain('sum by (namespace, exported_namespace, scaledObject)');
    // ScalingLimited is also true at minReplicas and through every paced scale-down.
    expect(alerts.filter((a) => a.expr.includes('ScalingLimited'))).toEqual([]);
  });

  it("read KEDA's metrics whichever label carries the ScaledObject's namespace", () => {
    // KEDA's own ServiceMonitor has no honorLabels: Prometheus renames the metric's namespace to
    // exported_namespace and sets namespace to KEDA's.
    const keda = dashboardExprs().filter(({ expr }) => expr.includes('keda_'));
    expect(keda.length).toBeGreaterThan(0);
    for (const { where, expr } of keda) {
      expect(expr, where).toContain('keda_scaler_metrics_value{exported_namespace=~"$namespace"');
      expect(expr, where).toContain(
        'or keda_scaler_metrics_value{namespace=~"$namespace", exported_namespace=""',
      );
    }
  });

  it('each link a runbook section of docs/operations.md', () => {
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        (m[1] ?? '')
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const a of alerts) {
      const link = a.annotations['runbook'] ?? '';
      expect(link, a.name).toMatch(/^docs\/operations\.md#/);
      expect(anchors.has(link.split('#')[1] ?? ''), `${a.name}: ${link}`).toBe(true);
    }
  });
});
