import { prng } from '../../data/terms.js';
import { round } from '../../support/stats.js';
import { ZipfSampler } from '../zipf.js';
import { KINDS } from './kinds.js';
import type { Population } from './population.js';

export interface NextRequest {
  readonly kind: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * Draws the requests: the kind by the mix; ids by Zipf popularity (its own
 * ranking per role); reads by a Zipf-popular caller, searches and writes by
 * the owner (creator) of what they touch, with that user's API key.
 */
export class MixedGenerator {
  private readonly rand: () => number;
  private readonly cumulative: number[] = [];
  private readonly callers: ZipfSampler;
  private readonly profiles: ZipfSampler;
  private readonly projects: ZipfSampler;
  private readonly terms: ZipfSampler;
  private revision = 0;

  constructor(
    private readonly pop: Population,
    s: number,
    writeShare: number,
    seed: number,
  ) {
    this.rand = prng(seed);
    const shuffle = prng(seed + 1);
    this.callers = new ZipfSampler(pop.users.length, s, this.rand, shuffle);
    this.profiles = new ZipfSampler(pop.users.length, s, this.rand, shuffle);
    this.projects = new ZipfSampler(pop.projects.length, s, this.rand, shuffle);
    this.terms = new ZipfSampler(pop.terms.length, s, this.rand, shuffle);
    let sum = 0;
    for (const k of KINDS) {
      sum += k.weight * (k.write ? writeShare : 1 - writeShare);
      this.cumulative.push(sum);
    }
  }

  static shares(writeShare: number): { kind: string; share: number }[] {
    return KINDS.map((k) => ({
      kind: k.kind,
      share: round(k.weight * (k.write ? writeShare : 1 - writeShare), 4),
    }));
  }

  private auth(user: number): Record<string, string> {
    return { authorization: `Bearer ${this.pop.users[user].key}` };
  }

  next(): NextRequest {
    const u = this.rand() * this.cumulative[this.cumulative.length - 1];
    let kind = this.cumulative.findIndex((c) => u < c);
    if (kind < 0) kind = KINDS.length - 1;
    const caller = () => this.auth(this.callers.next());
    const get = (path: string, headers: Record<string, string>) => ({
      kind,
      method: 'GET',
      path,
      headers,
    });
    switch (kind) {
      case 0:
        return get(`/terms/${this.pop.terms[this.terms.next()].id}`, caller());
      case 1:
        return get(
          `/projects/${this.pop.projects[this.projects.next()].id}`,
          caller(),
        );
      case 2:
        return get(
          `/projects/${this.pop.projects[this.projects.next()].id}/terms`,
          caller(),
        );
      case 3:
        return get(
          `/users/${this.pop.users[this.profiles.next()].id}`,
          caller(),
        );
      case 4:
        return get('/users/me', caller());
      case 5: {
        const p = this.pop.projects[this.projects.next()];
        const q = p.words[Math.floor(this.rand() * p.words.length)] ?? 'a';
        return get(
          `/terms/search?q=${encodeURIComponent(q)}`,
          this.auth(p.owner),
        );
      }
      case 6: {
        const t = this.pop.terms[this.terms.next()];
        return {
          kind,
          method: 'PATCH',
          path: `/terms/${t.id}`,
          headers: {
            ...this.auth(t.creator),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ name: `${t.name} rev ${++this.revision}` }),
        };
      }
      default: {
        const i = this.projects.next();
        const p = this.pop.projects[i];
        return {
          kind,
          method: 'PATCH',
          path: `/projects/${p.id}`,
          headers: {
            ...this.auth(p.owner),
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            name: `Bench project ${i + 1} rev ${++this.revision}`,
          }),
        };
      }
    }
  }
}
