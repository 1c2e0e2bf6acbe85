import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StatsView } from './stats.view.js';

/** Row counts over the whole database. */
@Injectable()
export class StatsService {
  constructor(private readonly dataSource: DataSource) {}

  async getCounts(): Promise<StatsView> {
    const rows: StatsView[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM projects)::int AS projects,
              (SELECT count(*) FROM terms)::int AS terms`,
    );
    const { users, projects, terms } = rows[0];
    return { users, projects, terms };
  }
}
