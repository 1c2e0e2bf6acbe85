import { CacheService } from '@lexikon/cache';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { describeDatabaseFault } from '../database/database-fault.js';
import { DatabaseRecovery } from '../database/database-recovery.service.js';

/** What a write invalidates: cache tags, exact keys, and tags it outdates softly. */
export interface WriteTargets {
  tags?: readonly string[];
  keys?: readonly string[];
  softTags?: readonly string[];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Keeps the cache from getting older than the database when a write fails
 * because the database is unavailable: the write may have taken effect (or
 * still take effect, its statement held up on the way), so what it would
 * have invalidated is invalidated at once, and once more when the database
 * has settled (`DatabaseRecovery`): a read between the two may have cached
 * the old row. The targets are computed by the caller before the write,
 * from what it read first, since a failed write has no result to read them
 * from. Success is left to the method's `@CacheInvalidate`.
 *
 * Both dependencies are optional: without a cache there is nothing to
 * invalidate.
 *
 * @example
 * return this.writes.run({ tags: [cacheTags.term(id)] }, () => this.terms.update({ id }, changes));
 */
@Injectable()
export class UncertainWrites {
  private readonly logger = new Logger(UncertainWrites.name);

  constructor(
    @Optional() private readonly cache?: CacheService,
    @Optional() private readonly recovery?: DatabaseRecovery,
  ) {}

  async run<T>(targets: WriteTargets, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const fault = describeDatabaseFault(error);
      if (fault && this.cache) {
        this.logger.debug(
          `A write failed (${fault.kind}: ${fault.detail}); invalidating what it would have`,
        );
        await this.invalidate(this.cache, targets);
        this.againWhenSettled(this.cache, targets);
      }
      throw error;
    }
  }

  private againWhenSettled(cache: CacheService, targets: WriteTargets): void {
    void this.recovery?.whenSettled().then(async (settled) => {
      if (settled) await this.invalidate(cache, targets);
    });
  }

  /** Never throws: the write's own error is the one to report. */
  private async invalidate(
    cache: CacheService,
    { tags = [], keys = [], softTags = [] }: WriteTargets,
  ): Promise<void> {
    try {
      await Promise.all([
        tags.length > 0 ? cache.invalidateTags(tags) : undefined,
        softTags.length > 0
          ? cache.invalidateTags(softTags, { soft: true })
          : undefined,
        keys.length > 0 ? cache.delete(keys) : undefined,
      ]);
    } catch (error) {
      this.logger.warn(
        `Could not invalidate after a failed write: ${describe(error)}`,
      );
    }
  }
}
