import { benchApiKey } from '../../../apps/api/src/database/seed/large-data.js';
import type { BenchDatabase } from '../dataset.js';

export interface Population {
  readonly users: { id: string; key: string }[];
  readonly projects: { id: string; owner: number; words: string[] }[];
  readonly terms: {
    id: string;
    project: number;
    creator: number;
    name: string;
  }[];
}

/** Every user (with their API key), project (owner, search words) and term of the data set. */
export async function loadPopulation(db: BenchDatabase): Promise<Population> {
  const ds = db.dataSource;
  const userRows = await ds.query<{ id: string; email: string }[]>(
    'SELECT id, email FROM users ORDER BY created_at, id',
  );
  const userIndex = new Map<string, number>();
  const users = userRows.map((u, i) => {
    const n = /^bench-user-(\d+)@/.exec(u.email)?.[1];
    if (!n) throw new Error(`not a generated user: ${u.email}`);
    userIndex.set(u.id, i);
    return { id: u.id, key: benchApiKey(Number(n)) };
  });
  const projectRows = await ds.query<{ id: string; owner_id: string }[]>(
    'SELECT id, owner_id FROM projects ORDER BY created_at, id',
  );
  const projectIndex = new Map<string, number>();
  const projects = projectRows.map((p, i) => {
    projectIndex.set(p.id, i);
    return {
      id: p.id,
      owner: userIndex.get(p.owner_id) ?? -1,
      words: [] as string[],
    };
  });
  const termRows = await ds.query<
    { id: string; project_id: string; created_by_id: string; name: string }[]
  >(
    'SELECT id, project_id, created_by_id, name FROM terms ORDER BY created_at, id',
  );
  const words = projects.map(() => new Set<string>());
  const terms = termRows.map((t) => {
    const project = projectIndex.get(t.project_id) ?? -1;
    const word = t.name.split(' ')[1]?.toLowerCase();
    if (word && project >= 0) words[project].add(word);
    return {
      id: t.id,
      project,
      creator: userIndex.get(t.created_by_id) ?? -1,
      name: t.name,
    };
  });
  projects.forEach((p, i) => p.words.push(...[...words[i]].sort()));
  return { users, projects, terms };
}
