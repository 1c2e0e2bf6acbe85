import type { BenchTerm } from './terms.js';

/** Terms per page: ~36 KB of JSON, the size of the seed's project-terms answer. */
export const PAGE_TERMS = 70;

/** Page `n` of the terms (wrapping around), as the gzip figure's route answers it. */
export function termPage(terms: readonly BenchTerm[], n: number): BenchTerm[] {
  return Array.from(
    { length: PAGE_TERMS },
    (_, i) => terms[(n * PAGE_TERMS + i) % terms.length],
  );
}
