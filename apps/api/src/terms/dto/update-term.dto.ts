import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateTermDto } from './create-term.dto.js';

/**
 * A term's name and/or definition. A field may be left out, but `null` is
 * validated like any value (and rejected): neither can be cleared.
 */
export class UpdateTermDto extends PartialType(
  OmitType(CreateTermDto, ['projectId'] as const),
  { skipNullProperties: false },
) {}
