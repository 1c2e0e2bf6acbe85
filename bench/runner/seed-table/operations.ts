import { cacheTags } from '../../../apps/api/src/cache/cache-tags.js';
import type { TermsService } from '../../../apps/api/src/terms/terms.service.js';
import type { UsersService } from '../../../apps/api/src/users/users.service.js';
import type { SeedTableRow } from '../../report/results.js';
import type { BenchDatabase } from '../dataset.js';

export interface Operation {
  readonly id: SeedTableRow['id'];
  readonly label: string;
  readonly service: string;
  readonly cacheKey: string;
  readonly tags: string;
  readonly claim: number;
  /** The service call for key `i`. */
  readonly load: (i: number) => Promise<unknown>;
  readonly key: (i: number) => string;
  readonly tagsOf: (i: number) => string[];
}

/**
 * The seed's three operations on `keys` keys each, with the API's key and
 * tag of the route, as service calls (the PostgreSQL rows) and cache keys.
 */
export async function seedOperations(
  db: BenchDatabase,
  keys: number,
  users: UsersService,
  terms: TermsService,
): Promise<Operation[]> {
  // the same keys for every row: users, and project owners with a word of their terms
  const userIds = (
    await db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM users ORDER BY md5(id::text) LIMIT $1',
      [keys],
    )
  ).map((r) => r.id);
  const projects = await db.dataSource.query<
    { id: string; owner: string; word: string }[]
  >(
    `SELECT p.id, p.owner_id AS owner,
            lower(split_part((SELECT t.name FROM terms t WHERE t.project_id = p.id
                              ORDER BY t.created_at, t.id LIMIT 1), ' ', 2)) AS word
     FROM projects p ORDER BY md5(p.id::text) LIMIT $1`,
    [keys],
  );
  const at = <T>(xs: readonly T[], i: number) => xs[i % xs.length];

  return [
    {
      id: 'get-user',
      label: 'get user',
      service: 'UsersService.findOne(id)',
      cacheKey: 'user:{id}',
      tags: 'user:{id}',
      claim: 7.5,
      load: (i) => users.findOne(at(userIds, i)),
      key: (i) => `user:${at(userIds, i)}`,
      tagsOf: (i) => [cacheTags.user(at(userIds, i))],
    },
    {
      id: 'term-search',
      label: 'term search',
      service: 'TermsService.search(userId, q)',
      cacheKey: 'term:search:{q}:{userId}',
      tags: 'search:{userId}',
      claim: 15,
      load: (i) => terms.search(at(projects, i).owner, at(projects, i).word),
      key: (i) =>
        `term:search:${at(projects, i).word}:${at(projects, i).owner}`,
      tagsOf: (i) => [cacheTags.search(at(projects, i).owner)],
    },
    {
      id: 'project-terms',
      label: 'project terms',
      service: 'TermsService.findByProject(projectId)',
      cacheKey: 'project:{id}:terms',
      tags: 'project:{id}',
      claim: 25,
      load: (i) => terms.findByProject(at(projects, i).id),
      key: (i) => `project:${at(projects, i).id}:terms`,
      tagsOf: (i) => [cacheTags.project(at(projects, i).id)],
    },
  ];
}
