/**
 * Deterministic term-like records shaped as the API's term JSON (the fields
 * of TermView, in its order; ~500 B): the runner and every bench server
 * generate the same ones from a seed, so responses can be compared byte for
 * byte without shipping data around.
 */
export interface BenchTerm {
  id: string;
  name: string;
  definition: string;
  projectId: string;
  createdById: string;
  createdAt: Date;
  updatedAt: Date;
}

const WORDS = [
  'cache',
  'entry',
  'index',
  'lexicon',
  'project',
  'glossary',
  'version',
  'tag',
  'term',
  'definition',
  'source',
  'context',
  'review',
  'status',
  'locale',
  'domain',
  'usage',
  'example',
  'synonym',
  'reference',
];

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuidFrom(rand: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(rand() * 16).toString(16);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++)
    out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  const text = out.join(' ');
  return text[0].toUpperCase() + text.slice(1) + '.';
}

const EPOCH = Date.UTC(2024, 0, 1);

/** The `index`-th term of the seeded set (stable across processes). */
export function makeTerm(index: number, seed = 1): BenchTerm {
  const rand = prng(seed * 1_000_003 + index);
  const created = EPOCH + Math.floor(rand() * 365 * 24 * 3600) * 1000;
  return {
    id: uuidFrom(rand),
    name: `${sentence(rand, 3).slice(0, -1)} ${index}`,
    definition: `${sentence(rand, 16)} ${sentence(rand, 16)}`,
    projectId: uuidFrom(prng(seed * 7 + (index % 1000))),
    createdById: uuidFrom(prng(seed * 13 + (index % 10_000))),
    createdAt: new Date(created),
    updatedAt: new Date(created + Math.floor(rand() * 30 * 24 * 3600) * 1000),
  };
}

export function makeTerms(count: number, seed = 1): BenchTerm[] {
  return Array.from({ length: count }, (_, i) => makeTerm(i, seed));
}
