import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { termPage } from '../data/pages.js';
import { type BenchTerm, makeTerms } from '../data/terms.js';
import type { BenchServerConfig } from './server-config.js';

export const BENCH_CONFIG = Symbol('bench:config');

/**
 * The data every variant's handler reads: the same terms, from process
 * memory, so that variants differ only by what sits around the handler.
 * Counts handler runs, so the runner can prove that cached rounds were all
 * hits and count stampede loader calls.
 */
@Injectable()
export class TermSource {
  private readonly byId = new Map<string, BenchTerm>();
  private readonly first: BenchTerm;
  private readonly terms: readonly BenchTerm[];
  termLoads = 0;
  slowLoads = 0;

  constructor(
    @Inject(BENCH_CONFIG) private readonly config: BenchServerConfig,
  ) {
    const terms = makeTerms(config.termCount);
    for (const t of terms) this.byId.set(t.id, t);
    this.first = terms[0];
    this.terms = terms;
  }

  /** A page of terms (the gzip figure's ~36 KB answer); counted as a term load. */
  page(n: number): BenchTerm[] {
    this.termLoads++;
    return termPage(this.terms, n);
  }

  find(id: string): BenchTerm {
    this.termLoads++;
    const term = this.byId.get(id);
    if (!term) throw new NotFoundException(`no term ${id}`);
    return term;
  }

  /** A loader that takes `slowMs` (the stampede figure's cold key). */
  async slow(id: string): Promise<BenchTerm> {
    this.slowLoads++;
    await new Promise((resolve) => setTimeout(resolve, this.config.slowMs));
    return { ...this.first, id };
  }
}
