import { ApiProperty } from '@nestjs/swagger';
import type { Term } from './term.entity.js';

/** A term as the API shows it. */
export class TermView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Mise en place' })
  name: string;

  @ApiProperty({
    example: 'Everything prepared and in its place before cooking.',
  })
  definition: string;

  @ApiProperty({ format: 'uuid' })
  projectId: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The id of the user who created the term',
  })
  createdById: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function toTermView(term: Term): TermView {
  return {
    id: term.id,
    name: term.name,
    definition: term.definition,
    projectId: term.projectId,
    createdById: term.createdById,
    createdAt: term.createdAt.toISOString(),
    updatedAt: term.updatedAt.toISOString(),
  };
}
