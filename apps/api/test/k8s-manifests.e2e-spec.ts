import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { appConfig, type AppConfig } from '../src/config/app.config.js';
import { loadConfiguration } from '../src/config/configuration.js';
import { ENVIRONMENT_VARIABLES } from '../src/config/environment.js';
import {
  DATABASE_TIMEOUT_MS,
  REDIS_TIMEOUT_MS,
} from '../src/health/health.service.js';
import { REPO_ROOT } from './support/built-app.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

const MANIFEST_DIR = join(REPO_ROOT, 'deploy', 'k8s');

type Labels = Record<string, string>;

interface Metadata {
  name: string;
  labels: Labels;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
}

interface Probe {
  httpGet: { path: string; port: string | number };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

interface Container {
  ports: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom: unknown[];
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests: Labels; limits: Labels };
  securityContext: {
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    privileged?: boolean;
    capabilities: { drop: string[]; add?: string[] };
  };
}

interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Labels };
    template: {
      metadata: { labels: Labels; annotations?: Record<string, unknown> };
      spec: {
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: Container[];
      };
    };
  };
}

interface Service extends Manifest {
  spec: { selector: Labels; ports: { targetPort: string | number }[] };
}

interface ConfigMap extends Manifest {
  data: Record<string, unknown>;
}

interface Secret extends Manifest {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

interface PodDisruptionBudget extends Manifest {
  spec: { maxUnavailable?: number; selector: { matchLabels: Labels } };
}

interface Loaded {
  file: string;
  manifest: Manifest;
}

function loadManifests(): Loaded[] {
  const files = readdirSync(MANIFEST_DIR).filter((file) =>
    /\.ya?ml$/.test(file),
  );
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(MANIFEST_DIR, file), 'utf8'))
      .map((document) => {
        const [error] = document.errors;
        if (error) throw new Error(`${file}: ${error.message}`);
        return { file, manifest: document.toJS() as Manifest | null };
      })
      // a document of comments only
      .filter((loaded): loaded is Loaded => loaded.manifest !== null),
  );
}

function only<T extends Manifest>(loaded: Loaded[], kind: string): T {
  const found = loaded.filter(({ manifest }) => manifest.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}, found ${found.length}`);
  }
  return found[0].manifest as T;
}

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(
    ([key, value]) => labels[key] === value,
  );
}

describe('Kubernetes manifests in deploy/k8s (e2e)', () => {
  const loaded = loadManifests();
  const deployment = only<Deployment>(loaded, 'Deployment');
  const service = only<Service>(loaded, 'Service');
  const configMap = only<ConfigMap>(loaded, 'ConfigMap');
  const secret = only<Secret>(loaded, 'Secret');
  const pdb = only<PodDisruptionBudget>(loaded, 'PodDisruptionBudget');
  const pod = deployment.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels;
  const podAnnotations = deployment.spec.template.metadata.annotations ?? {};
  const container = pod.containers[0];
  const ports = container.ports;
  const secretValues = secret.stringData ?? secret.data ?? {};
  /** Every variable the manifests give the container. */
  const environment: Record<string, unknown> = {
    ...configMap.data,
    ...secretValues,
    ...Object.fromEntries(
      (container.env ?? []).map((entry) => [entry.name, entry.value]),
    ),
  };
  /** The app's configuration from the manifests (throws on a bad value). */
  const settings = () => loadConfiguration(environment);

  /** The container port a probe or Service port names (by name or number). */
  function containerPort(port: string | number): number | undefined {
    return ports.find((p) => p.name === port || p.containerPort === port)
      ?.containerPort;
  }

  const probes = {
    startup: container.startupProbe,
    liveness: container.livenessProbe,
    readiness: container.readinessProbe,
  };

  it('holds one manifest of each kind, all named and labelled', () => {
    expect(loaded.map(({ manifest }) => manifest.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ]);
    for (const { manifest } of loaded) {
      expect(typeof manifest.apiVersion).toBe('string');
      expect(manifest.metadata.name).toMatch(/^lexikon-api/);
      expect(manifest.metadata.labels['app.kubernetes.io/name']).toBe(
        'lexikon-api',
      );
    }
    expect(pod.containers).toHaveLength(1);
  });

  it('sets only variables the app knows, with values its config schema accepts', () => {
    const known = new Set<string>(ENVIRONMENT_VARIABLES);
    const names = [
      ...Object.keys(configMap.data),
      ...Object.keys(secretValues),
      ...(container.env ?? []).map((entry) => entry.name),
    ];
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    // ConfigMap values must be strings, or Kubernetes rejects the manifest
    for (const value of Object.values(configMap.data)) {
      expect(typeof value).toBe('string');
    }
    const { database, redis } = settings();
    expect(database.mode).toBe('url');
    expect(redis.enabled).toBe(true);
  });

  it('gives the container its ConfigMap and Secret', () => {
    expect(container.envFrom).toEqual(
      expect.arrayContaining([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: secret.metadata.name } },
      ]),
    );
    // what holds a password is in the Secret only
    for (const name of [
      'DATABASE_URL',
      'DB_PASSWORD',
      'REDIS_URL',
      'REDIS_PASSWORD',
    ]) {
      expect(Object.keys(configMap.data)).not.toContain(name);
    }
    expect(Object.keys(secretValues)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']),
    );
  });

  it('exposes the port the ConfigMap makes the app listen on', () => {
    const { port } = settings().app;
    expect(ports).toHaveLength(1);
    expect(ports[0].containerPort).toBe(port);
    expect(service.spec.ports.length).toBeGreaterThan(0);
    for (const servicePort of service.spec.ports) {
      expect(containerPort(servicePort.targetPort)).toBe(port);
    }
  });

  it('points every probe at a health route and at the app port', () => {
    expect(probes.startup.httpGet.path).toBe('/health/startup');
    expect(probes.liveness.httpGet.path).toBe('/health/live');
    expect(probes.readiness.httpGet.path).toBe('/health/ready');
    for (const probe of Object.values(probes)) {
      expect(containerPort(probe.httpGet.port)).toBe(settings().app.port);
    }
  });

  it('asks Prometheus to scrape the app port and its metrics path', () => {
    // annotation values must be strings, or Kubernetes rejects the manifest
    for (const value of Object.values(podAnnotations)) {
      expect(typeof value).toBe('string');
    }
    expect(podAnnotations['prometheus.io/scrape']).toBe('true');
    expect(podAnnotations['prometheus.io/path']).toBe('/metrics');
    const port = podAnnotations['prometheus.io/port'];
    expect(port).toBe(String(settings().app.port));
    expect(containerPort(Number(port))).toBe(settings().app.port);
    expect(settings().app.metricsEnabled).toBe(true);
  });

  it('gives the probes timeouts above the checks inside the app and sensible thresholds', () => {
    for (const probe of Object.values(probes)) {
      expect(probe.timeoutSeconds * 1000).toBeGreaterThanOrEqual(1500);
      expect(probe.periodSeconds).toBeGreaterThan(0);
      expect(probe.failureThreshold).toBeGreaterThan(0);
    }
    expect(probes.readiness.timeoutSeconds * 1000).toBeGreaterThan(
      Math.max(DATABASE_TIMEOUT_MS, REDIS_TIMEOUT_MS),
    );
    // restarting takes longer to decide than taking out of service
    expect(
      probes.liveness.periodSeconds * probes.liveness.failureThreshold,
    ).toBeGreaterThan(
      probes.readiness.periodSeconds * probes.readiness.failureThreshold,
    );
    // the startup probe leaves time for the migrations
    expect(
      probes.startup.periodSeconds * probes.startup.failureThreshold,
    ).toBeGreaterThanOrEqual(60);
  });

  it('lets the shutdown finish before the kubelet kills the pod', () => {
    const { shutdownReadyDelayMs, shutdownDrainMs } = settings().app;
    expect(shutdownReadyDelayMs).toBeGreaterThan(0);
    // and a few seconds to close Redis and PostgreSQL
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      shutdownReadyDelayMs + shutdownDrainMs + 5000,
    );
  });

  it('runs as a non-root user, read-only, without capabilities', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    const security = container.securityContext;
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.privileged ?? false).toBe(false);
    expect(security.capabilities.drop).toContain('ALL');
    expect(security.capabilities.add).toBeUndefined();
  });

  it('requests and limits resources', () => {
    const { requests, limits } = container.resources;
    expect(requests.cpu).toBeDefined();
    expect(requests.memory).toBeDefined();
    expect(limits.memory).toBeDefined();
  });

  it('selects the Deployment pods from the Deployment, the Service and the PodDisruptionBudget', () => {
    for (const selector of [
      deployment.spec.selector.matchLabels,
      service.spec.selector,
      pdb.spec.selector.matchLabels,
    ]) {
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      expect(matches(selector, podLabels)).toBe(true);
    }
    expect(pdb.apiVersion).toBe('policy/v1');
    // a budget that allows no eviction would block node drains
    const maxUnavailable = pdb.spec.maxUnavailable ?? 0;
    expect(maxUnavailable).toBeGreaterThan(0);
    expect(deployment.spec.replicas).toBeGreaterThan(maxUnavailable);
  });

  describe('against the running app', () => {
    let db: TestDatabase;
    let api: TestApp;

    beforeAll(async () => {
      db = await createTestDatabase('k8s');
      api = await createTestApp({
        env: {
          ...(configMap.data as Record<string, string>),
          DATABASE_URL: db.url,
          REDIS_URL: undefined,
          REDIS_HOST: undefined,
        },
      });
    });

    afterAll(async () => {
      await api?.close();
      await db?.drop();
    });

    it('listens, as main.ts does, on the port the container exposes', () => {
      // main.ts: app.listen(app.get<AppConfig>(appConfig.KEY).port)
      expect(api.app.get<AppConfig>(appConfig.KEY).port).toBe(
        container.ports[0].containerPort,
      );
    });

    it('serves Prometheus metrics at the annotated path, without an API key', async () => {
      const path = String(podAnnotations['prometheus.io/path']);
      const response = await api.http().get(path).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toMatch(/^process_cpu_user_seconds_total /m);
    });

    it('serves every probe path, without an API key', async () => {
      for (const probe of Object.values(probes)) {
        const response = await api.http().get(probe.httpGet.path);
        expect({ path: probe.httpGet.path, status: response.status }).toEqual({
          path: probe.httpGet.path,
          status: 200,
        });
      }
    });
  });
});
