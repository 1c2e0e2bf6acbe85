import type { Registry } from 'prom-client';

type Labels = Record<string, string | number>;

/**
 * The value of `name{labels}` in `registry` (exactly those labels), 0 when
 * absent. Reading collects the registry, as a scrape does.
 */
export async function sample(
  registry: Registry,
  name: string,
  labels: Labels = {},
): Promise<number> {
  const metrics = await registry.getMetricsAsJSON();
  for (const metric of metrics) {
    for (const v of metric.values as {
      metricName?: string;
      labels: Labels;
      value: number;
    }[]) {
      if ((v.metricName ?? metric.name) !== name) continue;
      const keys = Object.keys(v.labels);
      if (
        keys.length === Object.keys(labels).length &&
        keys.every((k) => String(v.labels[k]) === String(labels[k]))
      ) {
        return v.value;
      }
    }
  }
  return 0;
}

/** Every sample of `name` in `registry`, with their labels. */
export async function samples(
  registry: Registry,
  name: string,
): Promise<{ labels: Labels; value: number }[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap((metric) =>
    (metric.values as { metricName?: string; labels: Labels; value: number }[])
      .filter((v) => (v.metricName ?? metric.name) === name)
      .map((v) => ({ labels: v.labels, value: v.value })),
  );
}
