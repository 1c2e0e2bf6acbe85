/**
 * The cache tags of the API: which cached responses a write must invalidate.
 * Ids are lower-cased, so that a request naming a uuid in capitals shares
 * the tag of its canonical form.
 *
 * - `user:<id>`     the user's profile (GET /users/:id, GET /users/me)
 * - `project:<id>`  the project, its term list, and each of its terms
 * - `term:<id>`     the term
 * - `search:<id>`   the user's term searches
 * - `projects`      every page of the project list
 */
export const cacheTags = {
  user: (id: string) => `user:${id.toLowerCase()}`,
  project: (id: string) => `project:${id.toLowerCase()}`,
  term: (id: string) => `term:${id.toLowerCase()}`,
  search: (userId: string) => `search:${userId.toLowerCase()}`,
  projects: 'projects',
} as const;

/** The id in a route parameter, as a string ('' when absent). */
export function paramId(
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  const id = params?.id;
  return typeof id === 'string' ? id : '';
}
