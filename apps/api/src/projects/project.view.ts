import { ApiProperty } from '@nestjs/swagger';
import type { Page } from '../common/paging/page.js';
import type { Project } from './project.entity.js';

/** A project as the API shows it. */
export class ProjectView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Kitchen French' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Cooking terms' })
  description: string | null;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ProjectPageView implements Page<ProjectView> {
  @ApiProperty({ type: [ProjectView] })
  items: ProjectView[];

  @ApiProperty({ example: 1 })
  page: number;

  @ApiProperty({ example: 20 })
  limit: number;

  @ApiProperty({ example: 42 })
  total: number;
}

export function toProjectView(project: Project): ProjectView {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    ownerId: project.ownerId,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}
