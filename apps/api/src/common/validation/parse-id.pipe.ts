import {
  type ArgumentMetadata,
  Injectable,
  ParseUUIDPipe,
  type PipeTransform,
} from '@nestjs/common';

/**
 * A uuid route parameter in its canonical (lower-case) form, so that services
 * and the cache see one spelling of each id. Malformed → 400.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, Promise<string>> {
  private readonly uuid = new ParseUUIDPipe();

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    const id = await this.uuid.transform(value, metadata);
    return String(id).toLowerCase();
  }
}
