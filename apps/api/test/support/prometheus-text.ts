type Labels = Record<string, string>;

interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Every sample of a Prometheus text exposition. */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(
      /(\w+)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key] = value;
    }
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** The value of the sample `name{labels}` (exactly those labels), 0 when absent. */
export function sampleValue(
  text: string,
  name: string,
  labels: Labels,
): number {
  const found = parseSamples(text).find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  return found?.value ?? 0;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function sampleSum(
  text: string,
  name: string,
  labels: Labels = {},
): number {
  return parseSamples(text)
    .filter(
      (s) =>
        s.name === name &&
        Object.entries(labels).every(([key, value]) => s.labels[key] === value),
    )
    .reduce((sum, s) => sum + s.value, 0);
}
