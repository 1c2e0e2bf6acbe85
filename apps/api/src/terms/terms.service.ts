import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CacheInvalidate } from '@lexikon/cache';
import {
  cacheTags,
  countsChanged,
  termWriteTags,
} from '../cache/cache-tags.js';
import { UncertainWrites } from '../cache/uncertain-writes.service.js';
import { Repository } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../common/errors/index.js';
import { isForeignKeyViolation } from '../database/postgres-errors.js';
import { Project } from '../projects/project.entity.js';
import type { CreateTermDto } from './dto/create-term.dto.js';
import type { UpdateTermDto } from './dto/update-term.dto.js';
import { containsPattern } from './like-pattern.js';
import { Term } from './term.entity.js';
import { toTermView, type TermView } from './term.view.js';

const PROJECT_FOREIGN_KEY = 'terms_project_id_fkey';

/** After a successful write: the tags of the term it returns. */
function writtenTermTags(_ctx: unknown, term: unknown): string[] {
  return termWriteTags(term as TermView);
}

/** Terms; anyone signed in reads them, only their creator changes them. */
@Injectable()
export class TermsService {
  constructor(
    @InjectRepository(Term) private readonly terms: Repository<Term>,
    @InjectRepository(Project) private readonly projects: Repository<Project>,
    private readonly writes: UncertainWrites,
  ) {}

  /**
   * Adds a term to a project the caller owns.
   * @throws NotFoundError (no such project), ForbiddenError (not the owner)
   */
  @CacheInvalidate({ tags: writtenTermTags }, countsChanged)
  async create(actorId: string, input: CreateTermDto): Promise<TermView> {
    const project = await this.projects.findOne({
      where: { id: input.projectId },
      select: { id: true, ownerId: true },
    });
    if (!project) throw NotFoundError.of('Project', input.projectId);
    if (project.ownerId !== actorId) {
      throw new ForbiddenError('Terms can only be added to your own projects');
    }
    const term = this.terms.create({
      name: input.name,
      definition: input.definition,
      projectId: input.projectId,
      createdById: actorId,
    });
    // the new id is nobody's to have cached yet; the list and searches are
    const targets = {
      tags: [cacheTags.projectTerms(project.id), cacheTags.search(actorId)],
      softTags: [cacheTags.stats],
    };
    await this.writes.run(targets, async () => {
      try {
        await this.terms.insert(term);
      } catch (error) {
        if (isForeignKeyViolation(error, PROJECT_FOREIGN_KEY)) {
          throw NotFoundError.of('Project', input.projectId);
        }
        throw error;
      }
    });
    return toTermView(term);
  }

  /** @throws NotFoundError */
  async findOne(id: string): Promise<TermView> {
    return this.reload(id);
  }

  /** The project's terms, oldest first. @throws NotFoundError (no such project) */
  async findByProject(projectId: string): Promise<TermView[]> {
    const exists = await this.projects.existsBy({ id: projectId });
    if (!exists) throw NotFoundError.of('Project', projectId);
    const terms = await this.terms.find({
      where: { projectId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return terms.map(toTermView);
  }

  /**
   * The terms `userId` created whose name contains `q`, ignoring case;
   * `%`, `_` and `\` in `q` match literally. Ordered by name.
   */
  async search(userId: string, q: string): Promise<TermView[]> {
    const terms = await this.terms
      .createQueryBuilder('term')
      .where('term.createdById = :userId', { userId })
      .andWhere("term.name ILIKE :pattern ESCAPE '\\'", {
        pattern: containsPattern(q),
      })
      .orderBy('term.name', 'ASC')
      .addOrderBy('term.id', 'ASC')
      .getMany();
    return terms.map(toTermView);
  }

  /**
   * One UPDATE (no transaction), and none when nothing changes.
   * @throws NotFoundError, ForbiddenError (not the creator)
   */
  @CacheInvalidate({ tags: writtenTermTags })
  async update(
    actorId: string,
    id: string,
    input: UpdateTermDto,
  ): Promise<TermView> {
    const term = await this.requireCreated(actorId, id);
    const changes: Partial<Pick<Term, 'name' | 'definition'>> = {};
    if (input.name !== undefined && input.name !== term.name) {
      changes.name = input.name;
    }
    if (
      input.definition !== undefined &&
      input.definition !== term.definition
    ) {
      changes.definition = input.definition;
    }
    if (Object.keys(changes).length === 0) return toTermView(term);
    return this.writes.run({ tags: termWriteTags(term) }, async () => {
      await this.terms.update({ id }, changes);
      return this.reload(id);
    });
  }

  /** @throws NotFoundError, ForbiddenError (not the creator) */
  @CacheInvalidate({ tags: writtenTermTags }, countsChanged)
  async remove(actorId: string, id: string): Promise<TermView> {
    const term = await this.requireCreated(actorId, id);
    const targets = { tags: termWriteTags(term), softTags: [cacheTags.stats] };
    await this.writes.run(targets, () => this.terms.delete({ id }));
    return toTermView(term);
  }

  /**
   * Reads a row straight from the database. Writes use this, never the public
   * (cacheable) `findOne`, so that they return what they wrote.
   */
  private async reload(id: string): Promise<TermView> {
    const row = await this.terms.findOneBy({ id });
    if (!row) throw NotFoundError.of('Term', id);
    return toTermView(row);
  }

  private async requireCreated(actorId: string, id: string): Promise<Term> {
    const term = await this.terms.findOneBy({ id });
    if (!term) throw NotFoundError.of('Term', id);
    if (term.createdById !== actorId) {
      throw new ForbiddenError(
        'Only the creator may change or delete this term',
      );
    }
    return term;
  }
}
