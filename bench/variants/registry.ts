/**
 * The variants the issue asks for, in one place. A variant is either served
 * by a bench server process (the runner starts one per adapter; its module
 * is in server/variant-modules.ts) or not measured, with the reason the
 * report prints (`pending`).
 */
export type Adapter = 'fastify' | 'express';

export const ADAPTERS: readonly Adapter[] = ['fastify', 'express'];

/**
 * What a bench server can serve: the variants below, and the gzip
 * figure's page route (`lexikon-pages`, not a throughput variant).
 */
export type ServerVariantId = ServedVariantId | 'lexikon-pages';

/** Variants a bench server can run today. */
export type ServedVariantId =
  | 'bare'
  | 'lexikon-redis'
  | 'lexikon-redis-tags'
  | 'lexikon-l1'
  | 'lexikon-memory'
  | 'nest-cache-manager'
  | 'raw-get'
  | 'typeorm';

export type VariantId = ServedVariantId;

export interface VariantInfo {
  readonly id: VariantId;
  /** The number (3t: variant 3 with two tags, an extra; 3l: variant 3 with the in-process tier). */
  readonly number: string;
  readonly label: string;
  readonly description: string;
  /** Why it is not measured, when it is not. */
  readonly pending?: string;
  /** Reads Redis on its hit path (3l: only to fill its in-process tier). */
  readonly usesRedis: boolean;
  /** Reads PostgreSQL (the bench database) on every request. */
  readonly usesDatabase?: boolean;
  /** After warm-up the handler must not run again (every request a hit). */
  readonly cached: boolean;
  /** Answers `X-Cache: HIT` on hits. */
  readonly hitHeader: boolean;
  /** Has a `/slow/:id` route (50 ms loader) for the stampede figure. */
  readonly stampede: boolean;
}

export const VARIANTS: readonly VariantInfo[] = [
  {
    id: 'bare',
    number: '1',
    label: 'bare route',
    description:
      'the handler returns the term from process memory; no cache module at all (the framework ceiling)',
    usesRedis: false,
    cached: false,
    hitHeader: false,
    stampede: false,
  },
  {
    id: 'typeorm',
    number: '2',
    label: 'PostgreSQL via TypeORM',
    description:
      "the API's TermsService.findOne (TypeORM repository, PostgreSQL) on a term of the generated data set, no cache",
    usesRedis: false,
    usesDatabase: true,
    cached: false,
    hitHeader: false,
    stampede: false,
  },
  {
    id: 'lexikon-redis',
    number: '3',
    label: '@Cacheable, Redis',
    description:
      "@Cacheable({ key: 'term:{id}', scope: 'public' }) from @lexikon/cache on Redis",
    usesRedis: true,
    cached: true,
    hitHeader: true,
    stampede: true,
  },
  {
    id: 'lexikon-redis-tags',
    number: '3t',
    label: '@Cacheable, Redis, 2 tags',
    description:
      "variant 3 with tags: ['terms', 'term:{id}'] (extra: shows what tags cost on a hit)",
    usesRedis: true,
    cached: true,
    hitHeader: true,
    stampede: false,
  },
  {
    id: 'lexikon-l1',
    number: '3l',
    label: '@Cacheable, Redis + L1',
    description:
      'variant 3 with forRoot({ redis, l1: { … } }): hits from the in-process tier, no Redis call',
    usesRedis: true,
    cached: true,
    hitHeader: true,
    stampede: false,
  },
  {
    id: 'lexikon-memory',
    number: '4',
    label: '@Cacheable, memory store',
    description:
      "variant 3 with LexikonCacheModule.forRoot({ store: 'memory' })",
    usesRedis: false,
    cached: true,
    hitHeader: true,
    stampede: true,
  },
  {
    id: 'nest-cache-manager',
    number: '5',
    label: '@nestjs/cache-manager + Keyv Redis',
    description:
      'CacheModule.register({ stores: [new KeyvRedis(url)] }) with @UseInterceptors(CacheInterceptor) (the documented setup)',
    usesRedis: true,
    cached: true,
    hitHeader: true,
    stampede: true,
  },
  {
    id: 'raw-get',
    number: '6',
    label: 'raw ioredis GET',
    description:
      'a hand-written handler: one ioredis GET + JSON.parse (set on a miss): the least a Redis hit can cost',
    usesRedis: true,
    cached: true,
    hitHeader: false,
    stampede: true,
  },
];

export function variant(id: VariantId): VariantInfo {
  const v = VARIANTS.find((x) => x.id === id);
  if (!v) throw new Error(`unknown variant ${id}`);
  return v;
}

export function isServed(v: VariantInfo): v is VariantInfo & {
  id: ServedVariantId;
} {
  return v.pending === undefined;
}
