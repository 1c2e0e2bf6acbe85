import type { LoggerService } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { API_KEY_PREFIX, hashApiKey } from '../../auth/api-key.js';

/**
 * A demo user's API key. Derived from a fixed seed, so it is the same on
 * every machine and every run ("known" demo keys for trying the API).
 */
export function demoApiKey(handle: string): string {
  const secret = createHash('sha256')
    .update(`lexikon-demo:${handle}`)
    .digest('base64url');
  return `${API_KEY_PREFIX}${secret}`;
}

interface DemoUser {
  id: string;
  handle: string;
  email: string;
  name: string;
}

interface DemoProject {
  id: string;
  ownerId: string;
  name: string;
  description: string | null;
  terms: readonly (readonly [name: string, definition: string])[];
}

const ALICE = 'd0000000-0000-4000-8000-000000000001';
const BOB = 'd0000000-0000-4000-8000-000000000002';
const CAROL = 'd0000000-0000-4000-8000-000000000003';

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: ALICE,
    handle: 'alice',
    email: 'alice@example.com',
    name: 'Alice Demo',
  },
  { id: BOB, handle: 'bob', email: 'bob@example.com', name: 'Bob Demo' },
  {
    id: CAROL,
    handle: 'carol',
    email: 'carol@example.com',
    name: 'Carol Demo',
  },
];

const DEMO_PROJECTS: readonly DemoProject[] = [
  {
    id: 'd0000000-0000-4000-8000-000000000101',
    ownerId: ALICE,
    name: 'Kitchen French',
    description: 'Cooking terms every line cook should know',
    terms: [
      ['Braise', 'Brown, then cook slowly in a little liquid in a closed pot.'],
      ['Julienne', 'Cut into thin matchsticks.'],
      ['Mise en place', 'Everything prepared and in its place before cooking.'],
      ['Roux', 'Flour cooked in fat, used to thicken sauces.'],
    ],
  },
  {
    id: 'd0000000-0000-4000-8000-000000000102',
    ownerId: ALICE,
    name: 'Astronomy',
    description: null,
    terms: [
      ['Parsec', 'About 3.26 light-years.'],
      ['Light-year', 'The distance light travels in one Julian year.'],
      ['Red giant', 'A late-stage star that has swollen and cooled.'],
    ],
  },
  {
    id: 'd0000000-0000-4000-8000-000000000201',
    ownerId: BOB,
    name: 'Software engineering',
    description: 'Words from code reviews',
    terms: [
      ['Idempotence', 'Doing it twice has the effect of doing it once.'],
      [
        'Cache stampede',
        'Many clients recomputing the same expired entry at once.',
      ],
      [
        'Race condition',
        'A result that depends on the timing of concurrent events.',
      ],
      [
        '100% coverage',
        'Every line ran in a test; not the same as every case tested.',
      ],
      ['snake_case', 'Words joined by underscores.'],
    ],
  },
];

function demoTermId(projectIndex: number, termIndex: number): string {
  const suffix = String((projectIndex + 1) * 1000 + termIndex + 1).padStart(
    12,
    '0',
  );
  return `d0000000-0000-4000-9000-${suffix}`;
}

export interface DemoSeedResult {
  createdUsers: number;
  createdProjects: number;
  createdTerms: number;
  /** Demo users whose demo key still works (not rotated since seeding). */
  keys: { email: string; apiKey: string }[];
}

/**
 * Inserts the demo users, projects and terms. Idempotent: rows are keyed by
 * fixed ids (and user emails) and existing ones are left alone.
 */
export async function seedDemoData(
  dataSource: DataSource,
): Promise<DemoSeedResult> {
  return dataSource.transaction(async (manager) => {
    let createdUsers = 0;
    let createdProjects = 0;
    let createdTerms = 0;
    for (const user of DEMO_USERS) {
      const rows: unknown[] = await manager.query(
        `INSERT INTO users (id, email, name, api_key_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id`,
        [user.id, user.email, user.name, hashApiKey(demoApiKey(user.handle))],
      );
      createdUsers += rows.length;
    }
    for (const [projectIndex, project] of DEMO_PROJECTS.entries()) {
      const rows: unknown[] = await manager.query(
        `INSERT INTO projects (id, name, description, owner_id)
         SELECT $1::uuid, $2, $3, $4::uuid WHERE EXISTS (SELECT 1 FROM users WHERE id = $4::uuid)
         ON CONFLICT DO NOTHING RETURNING id`,
        [project.id, project.name, project.description, project.ownerId],
      );
      createdProjects += rows.length;
      for (const [termIndex, [name, definition]] of project.terms.entries()) {
        const id = demoTermId(projectIndex, termIndex);
        const termRows: unknown[] = await manager.query(
          `INSERT INTO terms (id, name, definition, project_id, created_by_id)
           SELECT $1::uuid, $2, $3, $4::uuid, $5::uuid
           WHERE EXISTS (SELECT 1 FROM projects WHERE id = $4::uuid)
           ON CONFLICT DO NOTHING RETURNING id`,
          [id, name, definition, project.id, project.ownerId],
        );
        createdTerms += termRows.length;
      }
    }
    const keys = DEMO_USERS.map((user) => ({
      email: user.email,
      apiKey: demoApiKey(user.handle),
    }));
    const valid: { api_key_hash: string }[] = await manager.query(
      'SELECT api_key_hash FROM users WHERE api_key_hash = ANY($1)',
      [keys.map((key) => hashApiKey(key.apiKey))],
    );
    const validHashes = new Set(valid.map((row) => row.api_key_hash));
    return {
      createdUsers,
      createdProjects,
      createdTerms,
      keys: keys.filter((key) => validHashes.has(hashApiKey(key.apiKey))),
    };
  });
}

/** Logs the demo API keys (demo data only: these keys are public by design). */
export function logDemoKeys(
  logger: LoggerService,
  result: DemoSeedResult,
): void {
  for (const { email, apiKey } of result.keys) {
    logger.log(`Demo API key for ${email}: ${apiKey}`);
  }
}
