import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, projects and terms.
 *
 * Term search (`created_by_id = $1 AND name ILIKE $2`) is served by the
 * creator index; a trigram index on `name` (pg_trgm) helps long patterns and
 * is only created where the extension can be installed.
 */
export class InitialSchema1732464000000 implements MigrationInterface {
  name = 'InitialSchema1732464000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        name varchar(100) NOT NULL,
        api_key_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX users_api_key_hash_key ON users (api_key_hash)`,
    );

    await queryRunner.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        description text,
        owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX projects_owner_id_idx ON projects (owner_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX projects_created_at_id_idx ON projects (created_at, id)`,
    );

    await queryRunner.query(`
      CREATE TABLE terms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        definition text NOT NULL,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        created_by_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX terms_project_id_created_at_idx ON terms (project_id, created_at, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX terms_created_by_id_name_idx ON terms (created_by_id, name)`,
    );

    await queryRunner.query(`
      DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable, term names get no trigram index: %', SQLERRM;
      END
      $$`);
    const rows: { present: boolean }[] = await queryRunner.query(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS present`,
    );
    if (rows[0]?.present) {
      await queryRunner.query(
        `CREATE INDEX terms_name_trgm_idx ON terms USING gin (name gin_trgm_ops)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS terms`);
    await queryRunner.query(`DROP TABLE IF EXISTS projects`);
    await queryRunner.query(`DROP TABLE IF EXISTS users`);
  }
}
