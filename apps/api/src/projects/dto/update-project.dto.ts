import { PartialType } from '@nestjs/swagger';
import { CreateProjectDto } from './create-project.dto.js';

/**
 * A project's name and/or description. A field may be left out; `null` is
 * validated like any value, so it is rejected for the name and clears the
 * description (which is optional, and nullable, already).
 */
export class UpdateProjectDto extends PartialType(CreateProjectDto, {
  skipNullProperties: false,
}) {}
