import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The deployment checks of scripts/k8s-validate.sh, run inside `pnpm test`. helm, kubeconform and
 * the JSON schemas are installed by scripts/k8s-tools.sh first (go install: minutes on a new
 * machine, under a second once cached). Nothing here is skipped: without Go, or with the tools
 * failing to build, beforeAll throws and every test fails with the reason.
 */

const root = resolve(import.meta.dirname, '../..');
const fixture = readFileSync(join(import.meta.dirname, 'fixtures/deployment.yaml'), 'utf8');
const COLD_INSTALL_MS = 15 * 60_000;
const RUN_MS = 3 * 60_000;

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: readonly string[]): Run {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function mustRun(command: string, args: readonly string[]): string {
  const { code, output } = run(command, args);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`);
  return output;
}

let tools: Record<string, string> = {};
let scratch = '';

beforeAll(() => {
  const env = mustRun('bash', ['scripts/k8s-tools.sh', '--env']);
  tools = Object.fromEntries([...env.matchAll(/^([A-Z_]+)='(.*)'$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
  for (const name of ['HELM', 'KUBECONFORM', 'KUBERNETES_VERSION']) {
    if (!tools[name]) throw new Error(`scripts/k8s-tools.sh --env did not report ${name}:\n${env}`);
  }
  scratch = mkdtempSync(join(tmpdir(), 'mealpeak-k8s-'));
}, COLD_INSTALL_MS);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function validateManifest(name: string, content: string): Run {
  const file = join(scratch, name);
  writeFileSync(file, content);
  return run('bash', ['scripts/k8s-validate.sh', '--files', file]);
}

function helm(args: readonly string[]): Run {
  return run(tools['HELM'] ?? 'helm', [...args, '--kube-version', tools['KUBERNETES_VERSION'] ?? '']);
}

describe('kubeconform in strict mode', () => {
  it('accepts valid manifests', { timeout: RUN_MS }, () => {
    const result = validateManifest('valid.yaml', fixture);
    expect(result.output).toContain('Valid: 2, Invalid: 0, Errors: 0, Skipped: 0');
    expect(result.code).toBe(0);
  });

  it('rejects a misspelt field of a Kubernetes resource', { timeout: RUN_MS }, () => {
    const result = validateManifest('replicass.yaml', fixture.replace('  replicas: 2', '  replicass: 2'));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Deployment fixture is invalid.*'replicass' not allowed/);
  });

  it('rejects a misspelt field of a KEDA resource', { timeout: RUN_MS }, () => {
    const result = validateManifest('keda.yaml', fixture.replace('maxReplicaCount:', 'maxReplicasCount:'));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/ScaledObject fixture is invalid.*'maxReplicasCount' not allowed/);
  });

  it('rejects a value of the wrong type', { timeout: RUN_MS }, () => {
    // KEDA trigger metadata is a map of strings: an unquoted number is a mistake the operator would
    // only report at apply time.
    const result = validateManifest('lag.yaml', fixture.replace("lagThreshold: '100'", 'lagThreshold: 100'));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('lagThreshold');
  });
});

/** The prod values with an image tag, as every install must give one (prod.yaml has none). */
function templateProd(args: readonly string[]): Run {
  return helm([
    'template',
    'mealpeak',
    'deploy/helm/mealpeak',
    '-f',
    'deploy/values/prod.yaml',
    '--set',
    `image.tag=${tools['RENDER_IMAGE_TAG'] ?? ''}`,
    ...args,
  ]);
}

/** The prod values with `args` do not render, and helm says `message`. */
function expectRefused(args: readonly string[], message: string): void {
  const result = templateProd(args);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain(message);
}

/** terminationGracePeriodSeconds of each Deployment in rendered manifests, by name. */
function gracePeriods(manifests: string): Record<string, number> {
  const grace: Record<string, number> = {};
  for (const doc of manifests.split(/^---$/m)) {
    if (!/^kind: Deployment$/m.test(doc)) continue;
    const name = /^ {2}name: (\S+)$/m.exec(doc)?.[1];
    const seconds = /terminationGracePeriodSeconds: (\d+)/.exec(doc)?.[1];
    if (name && seconds) grace[name] = Number(seconds);
  }
  return grace;
}

/** One field of each resource of `kind` in rendered manifests, by name (first match in the doc). */
function fieldOf(manifests: string, kind: string, field: RegExp): Record<string, string> {
  const found: Record<string, string> = {};
  for (const doc of manifests.split(/^---$/m)) {
    if (!new RegExp(`^kind: ${kind}$`, 'm').test(doc)) continue;
    const name = /^ {2}name: (\S+)$/m.exec(doc)?.[1];
    const value = field.exec(doc)?.[1];
    if (name && value !== undefined) found[name] = value;
  }
  return found;
}

describe('the chart', () => {
  it(
    'lints, renders for dev and prod, validates, matches deploy/rendered, and the images and compose lint',
    { timeout: RUN_MS },
    () => {
      const result = run('bash', ['scripts/k8s-validate.sh']);
      expect(result.output).toContain('all deployment checks passed');
      expect(result.code).toBe(0);
    },
  );

  it('refuses a Kubernetes older than KEDA 2.20 supports', { timeout: RUN_MS }, () => {
    const chart = ['template', 'mealpeak', 'deploy/helm/mealpeak', '-f', 'deploy/values/dev.yaml'];
    const old = run(tools['HELM'] ?? 'helm', [...chart, '--kube-version', '1.32.9']);
    expect(old.code).not.toBe(0);
    expect(old.output).toContain('chart requires kubeVersion: >=1.33.0-0');
    expect(run(tools['HELM'] ?? 'helm', [...chart, '--kube-version', '1.35.0']).code).toBe(0);
  });

  it('rejects a misspelt value (values.schema.json)', { timeout: RUN_MS }, () => {
    const values = join(scratch, 'typo-values.yaml');
    writeFileSync(values, 'services:\n  gateway:\n    replicass: 3\n');
    const result = helm([
      'lint',
      'deploy/helm/mealpeak',
      '--strict',
      '-f',
      'deploy/values/dev.yaml',
      '-f',
      values,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('replicass');
  });

  it(
    'refuses production without an image tag rather than fall back to the appVersion',
    { timeout: RUN_MS },
    () => {
      // The runbook's `helm upgrade --set <one value>` without the tag would otherwise roll every
      // service to ghcr.io/mealpeak/<svc>:<appVersion>, a release nobody chose, at the peak.
      for (const args of [
        [],
        ['--set', 'services.gateway.autoscaling.minReplicas=10'],
        ['--set', 'image.tag='],
      ]) {
        const result = helm([
          'template',
          'mealpeak',
          'deploy/helm/mealpeak',
          '-f',
          'deploy/values/prod.yaml',
          ...args,
        ]);
        expect(result.code, args.join(' ')).not.toBe(0);
        expect(result.output).toContain('image.tag is empty: with nodeEnv production');
        expect(result.output).not.toContain('image: ');
      }
      const tagged = templateProd(['--set', 'image.tag=1.4.0']);
      expect(tagged.code).toBe(0);
      expect([...tagged.output.matchAll(/^ +image: (\S+)$/gm)].map((m) => m[1])).toEqual([
        'ghcr.io/mealpeak/gateway:1.4.0',
        'ghcr.io/mealpeak/order:1.4.0',
        'ghcr.io/mealpeak/merchant:1.4.0',
        'ghcr.io/mealpeak/rider-dispatch:1.4.0',
      ]);
      // Outside production (a throw-away cluster), the appVersion is still the default.
      const development = templateProd(['--set', 'image.tag=', '--set', 'nodeEnv=development']);
      expect(development.code).toBe(0);
      expect(development.output).toContain('image: ghcr.io/mealpeak/gateway:0.1.0');
    },
  );

  it('refuses more consumer replicas than the topic has partitions', { timeout: RUN_MS }, () => {
    expectRefused(
      ['--set', 'services.order.autoscaling.maxReplicas=30'],
      'exceeds the 24 partitions of dispatch.events.v1',
    );
  });

  it('refuses consumer replicas above the partitions whatever the autoscaler', { timeout: RUN_MS }, () => {
    expectRefused(
      [
        '--set',
        'services.merchant.autoscaling.kind=hpa',
        '--set',
        'services.merchant.autoscaling.maxReplicas=40',
      ],
      'services.merchant.autoscaling.maxReplicas (40) exceeds the 24 partitions of order.events.v1',
    );
    // Without an autoscaler the fixed replica count is what joins the group.
    expectRefused(
      ['--set', 'services.merchant.autoscaling.enabled=false', '--set', 'services.merchant.replicas=25'],
      'services.merchant.replicas (25) exceeds the 24 partitions of order.events.v1',
    );
  });

  it('rolls the consumers out one extra pod at a time, within the documented connection budget', () => {
    const rendered = readFileSync(join(root, 'deploy/rendered/prod.yaml'), 'utf8');
    const surge = fieldOf(rendered, 'Deployment', /^ {6}maxSurge: (\S+)$/m);
    expect(surge).toEqual({
      'mealpeak-gateway': '25%',
      'mealpeak-order': '1',
      'mealpeak-merchant': '1',
      'mealpeak-rider-dispatch': '1',
    });
    expect(fieldOf(rendered, 'Deployment', /^ {6}maxUnavailable: (\S+)$/m)).toEqual({
      'mealpeak-gateway': '0',
      'mealpeak-order': '0',
      'mealpeak-merchant': '0',
      'mealpeak-rider-dispatch': '0',
    });
    // docs/operations.md ("What limits it"): every consumer at maxReplicas, plus per service the
    // surge and up to 3 replaced pods still stopping, each with PG_POOL_MAX + 1 (the relay).
    const maxReplicas = fieldOf(rendered, 'ScaledObject', /^ {2}maxReplicaCount: (\d+)$/m);
    const pool = fieldOf(rendered, 'ConfigMap', /^ {2}PG_POOL_MAX: "(\d+)"$/m);
    const stopping = 3;
    let connections = 0;
    for (const name of ['mealpeak-order', 'mealpeak-merchant', 'mealpeak-rider-dispatch']) {
      connections += (Number(maxReplicas[name]) + Number(surge[name]) + stopping) * (Number(pool[name]) + 1);
    }
    expect(connections).toBe(658);
    const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8').replace(/\s+/g, ' ');
    expect(operations).toContain('658 while all three roll at once');
    const documented = Number(/`max_connections` of at least (\d+)/.exec(operations)?.[1]);
    expect(documented).toBeGreaterThan(connections);
  });

  it('requests CPU without limiting it, and limits memory', { timeout: RUN_MS }, () => {
    // A CFS quota stalls the event loop while GC threads spend it: the gateway reads that as
    // event-loop delay and sheds. Requests stay (scheduling, HPA utilisation, contention weight).
    for (const env of ['dev', 'prod']) {
      const rendered = readFileSync(join(root, `deploy/rendered/${env}.yaml`), 'utf8');
      const resources = fieldOf(rendered, 'Deployment', /^ {10}resources:\n((?: {12}.+\n)+)/m);
      expect(Object.keys(resources), env).toHaveLength(4);
      for (const [name, block] of Object.entries(resources)) {
        expect(block, `${env} ${name}`).toMatch(
          /^ {12}limits:\n {14}memory: \S+\n {12}requests:\n {14}cpu: \S+\n {14}memory: \S+\n$/,
        );
      }
    }
    // An operator may still set one (a LimitRange would anyway).
    const limited = templateProd(['--set-string', 'services.gateway.resources.limits.cpu=2']);
    expect(limited.code).toBe(0);
    expect(fieldOf(limited.output, 'Deployment', /^ {12}limits:\n {14}cpu: "?(\w+)"?$/m)).toEqual({
      'mealpeak-gateway': '2',
    });
  });

  it("counts a partition without a commit as lag, so a new group's backlog scales it", () => {
    // KEDA 2.20 with earliest: the partition's high-watermark; scaleToZeroOnInvalidOffset or
    // latest would count 0 or 1 and leave a group replaying the topic at its floor.
    const rendered = readFileSync(join(root, 'deploy/rendered/prod.yaml'), 'utf8');
    const kafka = fieldOf(rendered, 'ScaledObject', /^ {4}- type: kafka\n((?: {6}.+\n)+)/m);
    expect(Object.keys(kafka)).toEqual(['mealpeak-order', 'mealpeak-merchant', 'mealpeak-rider-dispatch']);
    for (const [name, trigger] of Object.entries(kafka)) {
      expect(trigger, name).toContain('        offsetResetPolicy: earliest\n');
      expect(trigger, name).toContain('        scaleToZeroOnInvalidOffset: "false"\n');
    }
  });

  it("raises the consumers' floors for both cities where their peaks overlap, ahead of each climb", () => {
    // KEDA takes the largest cron floor open at a time, not the sum (kafka + cpu + cron triggers
    // of one ScaledObject become one HPA, which takes the largest recommendation).
    const rendered = readFileSync(join(root, 'deploy/rendered/prod.yaml'), 'utf8');
    const order = rendered
      .split(/^---$/m)
      .find((d) => /^kind: ScaledObject$/m.test(d) && /name: mealpeak-order$/m.test(d));
    const windows = [
      ...(order ?? '').matchAll(
        /- type: cron\n {6}name: (\S+)\n {6}metadata:\n {8}timezone: "(\S+)"\n {8}start: "(\d+) (\d+) \* \* \*"\n {8}end: "(\d+) (\d+) \* \* \*"\n {8}desiredReplicas: "(\d+)"/g,
      ),
    ].map((m) => ({
      name: m[1],
      zone: m[2],
      start: Number(m[4]) * 60 + Number(m[3]),
      end: Number(m[6]) * 60 + Number(m[5]),
      floor: Number(m[7]),
    }));
    expect(windows.length).toBeGreaterThan(0);
    // One schedule, in Paris time (Lisbon is an hour behind all year).
    expect(new Set(windows.map((w) => w.zone))).toEqual(new Set(['Europe/Paris']));
    const floorAt = (hh: number, mm: number): number => {
      const t = hh * 60 + mm;
      const open = windows.filter((w) =>
        w.start < w.end ? t >= w.start && t < w.end : t >= w.start || t < w.end,
      );
      return Math.max(0, ...open.map((w) => w.floor));
    };
    const paris = { lunch: 8, dinner: 12 };
    const lisbon = { lunch: 6, dinner: 8 };
    // Climbs at 11:45 local: Paris 11:45 and 18:45, Lisbon 12:45 and 19:45 Paris time. Both
    // cities' floors 30 minutes before Paris climbs, and no step during its climb (a step then
    // takes the gateway's headroom and rebalances every group while the load rises).
    expect(floorAt(11, 14)).toBe(0);
    expect(floorAt(11, 15)).toBe(paris.lunch + lisbon.lunch);
    expect(floorAt(12, 15)).toBe(paris.lunch + lisbon.lunch);
    expect(floorAt(14, 29)).toBe(paris.lunch + lisbon.lunch);
    expect(floorAt(15, 30)).toBe(lisbon.lunch);
    expect(floorAt(18, 15)).toBe(paris.dinner + lisbon.dinner);
    expect(floorAt(19, 15)).toBe(paris.dinner + lisbon.dinner);
    expect(floorAt(23, 30)).toBe(lisbon.dinner);
    for (const [hh, mm] of [
      [0, 30],
      [9, 0],
      [16, 30],
      [17, 30],
    ]) {
      expect(floorAt(hh ?? 0, mm ?? 0), `${hh}:${mm}`).toBe(0);
    }
  });

  it('gives every pod the priorityClassName asked for, and none by default', { timeout: RUN_MS }, () => {
    const rendered = readFileSync(join(root, 'deploy/rendered/prod.yaml'), 'utf8');
    expect(rendered).not.toContain('priorityClassName');
    const ranked = templateProd(['--set', 'priorityClassName=mealpeak-critical']);
    expect(ranked.code).toBe(0);
    expect(fieldOf(ranked.output, 'Deployment', /^ {6}priorityClassName: (\S+)$/m)).toEqual({
      'mealpeak-gateway': 'mealpeak-critical',
      'mealpeak-order': 'mealpeak-critical',
      'mealpeak-merchant': 'mealpeak-critical',
      'mealpeak-rider-dispatch': 'mealpeak-critical',
    });
    const valid = validateManifest('priority.yaml', ranked.output);
    expect(valid.output).toContain('Invalid: 0, Errors: 0, Skipped: 0');
  });

  it('refuses a surge of no pods or a malformed percentage', { timeout: RUN_MS }, () => {
    expectRefused(['--set', 'services.order.rollout.maxSurge=0'], 'maxSurge');
    expectRefused(['--set-string', 'services.order.rollout.maxSurge=0%'], 'maxSurge');
    expectRefused(['--set-string', 'services.gateway.rollout.maxSurge=a lot'], 'maxSurge');
    const percent = templateProd(['--set-string', 'services.order.rollout.maxSurge=10%']);
    expect(percent.code).toBe(0);
    expect(fieldOf(percent.output, 'Deployment', /^ {6}maxSurge: (\S+)$/m)['mealpeak-order']).toBe('10%');
  });

  it("lets one service's probe timings differ from the shared ones", { timeout: RUN_MS }, () => {
    const result = templateProd([
      '--set',
      'services.order.probes.startup.failureThreshold=900',
      '--set',
      'services.gateway.probes.liveness.timeoutSeconds=5',
    ]);
    expect(result.code).toBe(0);
    const startup = fieldOf(result.output, 'Deployment', /^ {10}startupProbe:\n((?: {12}.+\n)+)/m);
    // The override changes that field of that service alone; the probe's kind and port stay.
    expect(startup['mealpeak-order']).toBe(
      '            failureThreshold: 900\n            grpc:\n              port: 50051\n' +
        '            periodSeconds: 2\n            timeoutSeconds: 2\n',
    );
    for (const name of ['mealpeak-gateway', 'mealpeak-merchant', 'mealpeak-rider-dispatch']) {
      expect(startup[name], name).toContain('failureThreshold: 60\n');
    }
    // The rollout is not declared failed while the longer start-up is still allowed (30 min).
    const deadline = fieldOf(result.output, 'Deployment', /^ {2}progressDeadlineSeconds: (\d+)$/m);
    expect(deadline['mealpeak-order']).toBe('1920');
    expect(deadline['mealpeak-gateway']).toBe('600');
    const liveness = fieldOf(result.output, 'Deployment', /^ {10}livenessProbe:\n((?: {12}.+\n)+)/m);
    expect(liveness['mealpeak-gateway']).toContain('timeoutSeconds: 5\n');
    expect(liveness['mealpeak-gateway']).toContain('path: /healthz');
    expect(liveness['mealpeak-order']).toContain('timeoutSeconds: 3\n');
    const valid = validateManifest('probes.yaml', result.output);
    expect(valid.output).toContain('Invalid: 0, Errors: 0, Skipped: 0');

    expectRefused(['--set', 'services.order.probes.startup.initialDelay=30'], 'initialDelay');
    expectRefused(['--set', 'services.order.probes.startup.failureThreshold=0'], 'failureThreshold');
  });

  it('refuses a drain delay that uses up the shutdown timeout', { timeout: RUN_MS }, () => {
    for (const delay of ['25000', '20000']) {
      expectRefused(
        ['--set', `shutdown.drainDelayMs=${delay}`],
        `shutdown.drainDelayMs (${delay}) must be below shutdown.timeoutMs (20000)`,
      );
    }
    expect(templateProd(['--set', 'shutdown.drainDelayMs=19999']).code).toBe(0);
  });

  it("checks and follows a service's own shutdown timings", { timeout: RUN_MS }, () => {
    expectRefused(
      ['--set-string', 'services.order.config.SHUTDOWN_DRAIN_DELAY_MS=20000'],
      'services.order.config.SHUTDOWN_DRAIN_DELAY_MS (20000) must be below shutdown.timeoutMs (20000)',
    );

    expectRefused(
      [
        '--set-string',
        'services.order.config.SHUTDOWN_TIMEOUT_MS=5000',
        '--set',
        'shutdown.drainDelayMs=5000',
      ],
      'shutdown.drainDelayMs (5000) must be below services.order.config.SHUTDOWN_TIMEOUT_MS (5000)',
    );

    expectRefused(
      ['--set-string', 'services.order.config.SHUTDOWN_TIMEOUT_MS=1m'],
      'services.order.config.SHUTDOWN_TIMEOUT_MS must be a whole number',
    );

    // The ConfigMap gives order 60 s to shut down: its grace period is 10 + 60 + 5, the others keep 35.
    const longer = templateProd([
      '--set-string',
      'services.order.config.SHUTDOWN_TIMEOUT_MS=60000',
      '--set-string',
      'services.order.config.SHUTDOWN_DRAIN_DELAY_MS=15000',
    ]);
    expect(longer.code).toBe(0);
    expect(longer.output).toContain('SHUTDOWN_TIMEOUT_MS: "60000"');
    expect(gracePeriods(longer.output)).toEqual({
      'mealpeak-gateway': 35,
      'mealpeak-order': 75,
      'mealpeak-merchant': 35,
      'mealpeak-rider-dispatch': 35,
    });
  });

  it(
    'gives every pod more grace than the preStop sleep plus the shutdown timeout',
    { timeout: RUN_MS },
    () => {
      for (const env of ['dev', 'prod']) {
        const rendered = readFileSync(join(root, `deploy/rendered/${env}.yaml`), 'utf8');
        const grace = [...rendered.matchAll(/terminationGracePeriodSeconds: (\d+)/g)].map((m) =>
          Number(m[1]),
        );
        const sleep = [...rendered.matchAll(/sleep:\n\s+seconds: (\d+)/g)].map((m) => Number(m[1]));
        const timeout = [...rendered.matchAll(/SHUTDOWN_TIMEOUT_MS: "(\d+)"/g)].map((m) => Number(m[1]));
        expect(grace).toHaveLength(4);
        expect(sleep).toHaveLength(4);
        expect(timeout).toHaveLength(4);
        const needed = Math.max(...sleep) + Math.max(...timeout) / 1000;
        for (const g of grace) expect(g).toBeGreaterThan(needed);
      }
    },
  );
});

interface IngressRule {
  ports: number[];
  /** Each `from` peer as YAML text, or 'anywhere' for a rule without `from`. */
  from: string[] | 'anywhere';
}

interface Policy {
  /** matchLabels of spec.podSelector, as YAML text. */
  selects: string;
  policyTypes: string;
  ingress: IngressRule[];
}

/** Lines of YAML text without their first `indent` spaces, and without trailing blank lines. */
function dedent(text: string, indent: number): string {
  return text.replace(new RegExp(`^ {${indent}}`, 'gm'), '').trimEnd();
}

/**
 * The NetworkPolicies of rendered manifests, by name. The workspace has no YAML parser: this reads
 * the layout templates/networkpolicy.yaml writes (rules at `    - ports:`, peers at `        - `),
 * and throws on a policy laid out otherwise.
 */
function networkPolicies(manifests: string): Record<string, Policy> {
  const policies: Record<string, Policy> = {};
  for (const raw of manifests.split(/^---$/m)) {
    if (!/^kind: NetworkPolicy$/m.test(raw)) continue;
    const doc = raw.replace(/^ *#.*\n/gm, '');
    const name = /^ {2}name: (\S+)$/m.exec(doc)?.[1];
    const selects = /^ {2}podSelector:\n {4}matchLabels:\n((?: {6}.+\n)+)/m.exec(doc)?.[1];
    const policyTypes = /^ {2}policyTypes: (.+)$/m.exec(doc)?.[1];
    const ingress = /^ {2}ingress:\n((?: {4}.*(?:\n|$))+)/m.exec(doc)?.[1];
    if (!name || !selects || !policyTypes || !ingress) {
      throw new Error(`NetworkPolicy laid out unlike templates/networkpolicy.yaml:\n${raw}`);
    }
    policies[name] = {
      selects: dedent(selects, 6),
      policyTypes,
      ingress: ingress
        .split(/^ {4}- /m)
        .slice(1)
        .map((rule) => {
          const [ports = '', from] = rule.split(/^ {6}from:\n/m);
          return {
            ports: [...ports.matchAll(/^ {8}- port: (\d+)$/gm)].map((m) => Number(m[1])),
            from:
              from === undefined
                ? 'anywhere'
                : from
                    .split(/^ {8}- /m)
                    .slice(1)
                    .map((peer) => dedent(peer, 10)),
          };
        }),
    };
  }
  return policies;
}

/** matchLabels of each Deployment's selector in rendered manifests, by name, as YAML text. */
function deploymentSelectors(manifests: string): Record<string, string> {
  const selectors: Record<string, string> = {};
  for (const doc of manifests.split(/^---$/m)) {
    if (!/^kind: Deployment$/m.test(doc)) continue;
    const name = /^ {2}name: (\S+)$/m.exec(doc)?.[1];
    const labels = /^ {2}selector:\n {4}matchLabels:\n((?: {6}.+\n)+)/m.exec(doc)?.[1];
    if (name && labels) selectors[name] = dedent(labels, 6);
  }
  return selectors;
}

/** A `from` peer admitting the pods of one service of the release (same namespace). */
function podsOf(service: string): string {
  return `podSelector:\n  matchLabels:\n    app.kubernetes.io/name: ${service}\n    app.kubernetes.io/instance: mealpeak`;
}

const everyNamespace = 'namespaceSelector: {}';
const ingressNginx = 'namespaceSelector:\n  matchLabels:\n    kubernetes.io/metadata.name: ingress-nginx';

describe('the NetworkPolicies', () => {
  it('admit to each gRPC port only the services whose grpcTargets name it', () => {
    for (const env of ['dev', 'prod']) {
      const rendered = readFileSync(join(root, `deploy/rendered/${env}.yaml`), 'utf8');
      const ingress = Object.fromEntries(
        Object.entries(networkPolicies(rendered)).map(([name, policy]) => [name, policy.ingress]),
      );
      expect(ingress, env).toEqual({
        // HTTP from the ingress controller: anywhere in dev (networkPolicy.ingressFrom is empty by
        // default: the controller differs between clusters), ingress-nginx's namespace in prod.
        'mealpeak-gateway': [
          { ports: [8080], from: env === 'prod' ? [ingressNginx] : 'anywhere' },
          { ports: [9460], from: [everyNamespace] },
        ],
        'mealpeak-order': [
          { ports: [50051], from: [podsOf('gateway'), podsOf('merchant')] },
          { ports: [9461], from: [everyNamespace] },
        ],
        'mealpeak-merchant': [
          { ports: [50052], from: [podsOf('gateway'), podsOf('order')] },
          { ports: [9462], from: [everyNamespace] },
        ],
        'mealpeak-rider-dispatch': [
          { ports: [50053], from: [podsOf('gateway')] },
          { ports: [9463], from: [everyNamespace] },
        ],
      });
    }
  });

  it("select their service's pods and restrict ingress only", () => {
    for (const env of ['dev', 'prod']) {
      const rendered = readFileSync(join(root, `deploy/rendered/${env}.yaml`), 'utf8');
      const policies = networkPolicies(rendered);
      const selectors = deploymentSelectors(rendered);
      expect(Object.keys(policies).sort(), env).toEqual(Object.keys(selectors).sort());
      for (const [name, policy] of Object.entries(policies)) {
        expect(policy.selects, name).toBe(selectors[name]);
        // Egress (PostgreSQL, Redis, Kafka, OTel) is deliberately left open.
        expect(policy.policyTypes, name).toBe('[Ingress]');
      }
    }
  });

  it('follow the grpcTargets and the enabled services', { timeout: RUN_MS }, () => {
    // Without the gateway nobody calls rider-dispatch: its gRPC port admits no one.
    const noGateway = templateProd(['--set', 'services.gateway.enabled=false']);
    expect(noGateway.code).toBe(0);
    const policies = networkPolicies(noGateway.output);
    expect(Object.keys(policies)).toEqual(['mealpeak-order', 'mealpeak-merchant', 'mealpeak-rider-dispatch']);
    expect(policies['mealpeak-order']?.ingress[0]).toEqual({ ports: [50051], from: [podsOf('merchant')] });
    expect(policies['mealpeak-merchant']?.ingress[0]).toEqual({ ports: [50052], from: [podsOf('order')] });
    expect(policies['mealpeak-rider-dispatch']?.ingress).toEqual([{ ports: [9463], from: [everyNamespace] }]);

    // order stops calling merchant: merchant admits the gateway alone.
    const noOrderCalls = templateProd(['--set', 'services.order.grpcTargets=null']);
    expect(noOrderCalls.code).toBe(0);
    expect(networkPolicies(noOrderCalls.output)['mealpeak-merchant']?.ingress[0]).toEqual({
      ports: [50052],
      from: [podsOf('gateway')],
    });
  });

  it('admit the configured ingress and metrics peers, and validate', { timeout: RUN_MS }, () => {
    const values = join(scratch, 'network-policy-values.yaml');
    writeFileSync(
      values,
      [
        'networkPolicy:',
        '  ingressFrom:',
        '    - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } }',
        '  metricsFrom:',
        '    - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } }',
        '      podSelector: { matchLabels: { app.kubernetes.io/name: prometheus } }',
        '',
      ].join('\n'),
    );
    const result = templateProd(['-f', values]);
    expect(result.code).toBe(0);
    const ingressController =
      'namespaceSelector:\n  matchLabels:\n    kubernetes.io/metadata.name: ingress-nginx';
    const prometheus =
      'namespaceSelector:\n  matchLabels:\n    kubernetes.io/metadata.name: monitoring\n' +
      'podSelector:\n  matchLabels:\n    app.kubernetes.io/name: prometheus';
    const policies = networkPolicies(result.output);
    expect(policies['mealpeak-gateway']?.ingress).toEqual([
      { ports: [8080], from: [ingressController] },
      { ports: [9460], from: [prometheus] },
    ]);
    for (const [name, port] of [
      ['mealpeak-order', 9461],
      ['mealpeak-merchant', 9462],
      ['mealpeak-rider-dispatch', 9463],
    ] as const) {
      expect(policies[name]?.ingress.at(-1), name).toEqual({ ports: [port], from: [prometheus] });
    }
    const valid = validateManifest('network-policies.yaml', result.output);
    expect(valid.output).toContain('Invalid: 0, Errors: 0, Skipped: 0');
    expect(valid.code).toBe(0);
  });

  it(
    'make production refuse TRUST_PROXY=uniquelocal with the HTTP port open to all',
    { timeout: RUN_MS },
    () => {
      const open = join(scratch, 'open-ingress-values.yaml');
      writeFileSync(open, 'networkPolicy:\n  ingressFrom: []\n');
      const advice = 'Set networkPolicy.ingressFrom to the ingress controller';
      expectRefused(
        ['-f', open],
        'services.gateway.config.TRUST_PROXY includes uniquelocal, but networkPolicy.ingressFrom is empty (anywhere)',
      );
      expectRefused(['-f', open], advice);
      expectRefused(
        ['--set', 'networkPolicy.enabled=false'],
        'services.gateway.config.TRUST_PROXY includes uniquelocal, but networkPolicy.enabled is false',
      );
      // In a list, and whatever its case, as the gateway reads it.
      expectRefused(
        ['-f', open, '--set-string', 'services.gateway.config.TRUST_PROXY=loopback\\, UniqueLocal'],
        'TRUST_PROXY includes uniquelocal',
      );
      // The documented alternatives render: the controller's pod CIDR, or trusting no proxy.
      for (const trust of ['10.42.7.0/24', 'false']) {
        const narrowed = templateProd([
          '-f',
          open,
          '--set-string',
          `services.gateway.config.TRUST_PROXY=${trust}`,
        ]);
        expect(narrowed.code, trust).toBe(0);
      }
      // Outside production the chart leaves it to the operator.
      expect(templateProd(['-f', open, '--set', 'nodeEnv=development']).code).toBe(0);
    },
  );

  it('refuses an empty peer, which would fail at apply time', { timeout: RUN_MS }, () => {
    const values = join(scratch, 'empty-peer-values.yaml');
    writeFileSync(values, 'networkPolicy:\n  metricsFrom:\n    - {}\n');
    expectRefused(['-f', values], "at '/networkPolicy/metricsFrom/0': minProperties");
  });

  it('are not rendered with networkPolicy.enabled=false', { timeout: RUN_MS }, () => {
    // Without policies, TRUST_PROXY must name the controller's addresses (next test).
    const result = templateProd([
      '--set',
      'networkPolicy.enabled=false',
      '--set-string',
      'services.gateway.config.TRUST_PROXY=10.42.7.0/24',
    ]);
    expect(result.code).toBe(0);
    expect(result.output).toContain('kind: Deployment');
    expect(result.output).not.toContain('kind: NetworkPolicy');
  });
});
