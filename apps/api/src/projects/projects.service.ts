import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CacheInvalidate } from '@lexikon/cache';
import {
  cacheTags,
  countsChanged,
  projectGoneTags,
} from '../cache/cache-tags.js';
import { UncertainWrites } from '../cache/uncertain-writes.service.js';
import { Repository } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../common/errors/index.js';
import type { Page } from '../common/paging/page.js';
import type { CreateProjectDto } from './dto/create-project.dto.js';
import type { UpdateProjectDto } from './dto/update-project.dto.js';
import { Project } from './project.entity.js';
import { toProjectView, type ProjectView } from './project.view.js';

/** A project's change shows in its page and in the project list. */
function projectWriteTags(id: string): string[] {
  return [cacheTags.project(id), cacheTags.projects];
}

/** The project gone, with its terms: the owner made every term, so their searches change too. */
function projectRemovalTags(ownerId: string, id: string): string[] {
  return [
    ...projectGoneTags(id),
    cacheTags.projects,
    cacheTags.search(ownerId),
  ];
}

/** Projects; anyone signed in reads them, only the owner changes them. */
@Injectable()
export class ProjectsService {
  constructor(
    @InjectRepository(Project) private readonly projects: Repository<Project>,
    private readonly writes: UncertainWrites,
  ) {}

  @CacheInvalidate({ tags: [cacheTags.projects] }, countsChanged)
  async create(ownerId: string, input: CreateProjectDto): Promise<ProjectView> {
    const project = this.projects.create({
      name: input.name,
      description: input.description ?? null,
      ownerId,
    });
    const targets = { tags: [cacheTags.projects], softTags: [cacheTags.stats] };
    await this.writes.run(targets, () => this.projects.insert(project));
    return toProjectView(project);
  }

  /** All projects, oldest first (ties by id). */
  async findPage(page: number, limit: number): Promise<Page<ProjectView>> {
    const [projects, total] = await this.projects.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items: projects.map(toProjectView), page, limit, total };
  }

  /** @throws NotFoundError */
  async findOne(id: string): Promise<ProjectView> {
    return this.reload(id);
  }

  /**
   * One UPDATE (no transaction), and none when nothing changes.
   * @throws NotFoundError, ForbiddenError (not the owner)
   */
  @CacheInvalidate({
    tags: (_ctx, project) => projectWriteTags((project as ProjectView).id),
  })
  async update(
    actorId: string,
    id: string,
    input: UpdateProjectDto,
  ): Promise<ProjectView> {
    const project = await this.requireOwned(actorId, id);
    const changes: Partial<Pick<Project, 'name' | 'description'>> = {};
    if (input.name !== undefined && input.name !== project.name) {
      changes.name = input.name;
    }
    if (
      input.description !== undefined &&
      input.description !== project.description
    ) {
      changes.description = input.description;
    }
    if (Object.keys(changes).length === 0) return toProjectView(project);
    return this.writes.run({ tags: projectWriteTags(id) }, async () => {
      await this.projects.update({ id }, changes);
      return this.reload(id);
    });
  }

  /** Deletes the project and its terms. @throws NotFoundError, ForbiddenError */
  @CacheInvalidate(
    {
      tags: (ctx) =>
        projectRemovalTags(ctx.args[0] as string, ctx.args[1] as string),
    },
    countsChanged,
  )
  async remove(actorId: string, id: string): Promise<void> {
    await this.requireOwned(actorId, id);
    const targets = {
      tags: projectRemovalTags(actorId, id),
      softTags: [cacheTags.stats],
    };
    await this.writes.run(targets, () => this.projects.delete({ id }));
  }

  /**
   * Reads a row straight from the database. Writes use this, never the public
   * (cacheable) `findOne`, so that they return what they wrote.
   */
  private async reload(id: string): Promise<ProjectView> {
    const row = await this.projects.findOneBy({ id });
    if (!row) throw NotFoundError.of('Project', id);
    return toProjectView(row);
  }

  private async requireOwned(actorId: string, id: string): Promise<Project> {
    const project = await this.projects.findOneBy({ id });
    if (!project) throw NotFoundError.of('Project', id);
    if (project.ownerId !== actorId) {
      throw new ForbiddenError(
        'Only the owner may change or delete this project',
      );
    }
    return project;
  }
}
