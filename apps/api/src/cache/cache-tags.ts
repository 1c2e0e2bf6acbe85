import type { CacheInvalidateOptions } from '@lexikon/cache';

/**
 * The cache tags of the API: which cached responses a write must invalidate,
 * and no more. Ids are lower-cased, so that a request naming a uuid in
 * capitals shares the tag of its canonical form.
 *
 * - `user:<id>`             the user's profile (GET /users/:id, GET /users/me)
 * - `project:<id>`          the project (GET /projects/:id)
 * - `project-terms:<id>`    its term list (GET /projects/:id/terms)
 * - `project-content:<id>`  each of its terms: they go when the project goes
 * - `term:<id>`             the term (GET /terms/:id)
 * - `search:<id>`           the user's term searches
 * - `projects`              every page of the project list
 * - `stats`                 the row counts (GET /stats): invalidated softly
 */
export const cacheTags = {
  user: (id: string) => `user:${id.toLowerCase()}`,
  project: (id: string) => `project:${id.toLowerCase()}`,
  projectTerms: (id: string) => `project-terms:${id.toLowerCase()}`,
  projectContent: (id: string) => `project-content:${id.toLowerCase()}`,
  term: (id: string) => `term:${id.toLowerCase()}`,
  search: (userId: string) => `search:${userId.toLowerCase()}`,
  projects: 'projects',
  stats: 'stats',
} as const;

/**
 * What a write that changes how many users, projects or terms exist
 * invalidates: the counts may lag, so softly. They are reloaded at the next
 * read, yet served stale within their grace should the database fail then.
 */
export const countsChanged: CacheInvalidateOptions = {
  tags: [cacheTags.stats],
  soft: true,
};

/** Exact cache keys that are not tagged. */
export const cacheKeys = {
  /** `UsersService.findByApiKeyHash`'s entry: its `@Cacheable` key is `'auth:{0}'`. */
  auth: (apiKeyHash: string) => `auth:${apiKeyHash}`,
} as const;

/** A term write changes the term, its project's term list and its creator's searches (not the other terms). */
export function termWriteTags(term: {
  id: string;
  projectId: string;
  createdById: string;
}): string[] {
  return [
    cacheTags.term(term.id),
    cacheTags.projectTerms(term.projectId),
    cacheTags.search(term.createdById),
  ];
}

/** Everything that shows a project that is gone: itself, its term list, its terms. */
export function projectGoneTags(id: string): string[] {
  return [
    cacheTags.project(id),
    cacheTags.projectTerms(id),
    cacheTags.projectContent(id),
  ];
}

/** The id in a route parameter, as a string ('' when absent). */
export function paramId(
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  const id = params?.id;
  return typeof id === 'string' ? id : '';
}
