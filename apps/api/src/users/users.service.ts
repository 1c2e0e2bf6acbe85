import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Cacheable, CacheInvalidate } from '@lexikon/cache';
import { Repository } from 'typeorm';
import {
  cacheKeys,
  cacheTags,
  countsChanged,
  projectGoneTags,
} from '../cache/cache-tags.js';
import {
  UncertainWrites,
  type WriteTargets,
} from '../cache/uncertain-writes.service.js';
import { BoundedTransactions } from '../database/bounded-transactions.service.js';
import { Project } from '../projects/project.entity.js';
import { generateApiKey, hashApiKey } from '../auth/api-key.js';
import type { Principal } from '../auth/principal.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../common/errors/index.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import type { ApiKeyIssuedView } from './api-key-issued.view.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { User } from './user.entity.js';
import { toUserView, type UserView } from './user.view.js';

const EMAIL_UNIQUE = 'users_email_lower_key';

/** What a user's deletion took with it, for cache invalidation. */
export interface DeletedUser {
  projectIds: string[];
}

/** A user gone: their key, profile, searches, the project list and each of their projects. */
function userGoneTargets(
  userId: string,
  apiKeyHash: string,
  projectIds: readonly string[],
): Required<WriteTargets> {
  return {
    keys: [cacheKeys.auth(apiKeyHash)],
    tags: [
      cacheTags.user(userId),
      cacheTags.search(userId),
      cacheTags.projects,
      ...projectIds.flatMap(projectGoneTags),
    ],
    softTags: [cacheTags.stats],
  };
}

/**
 * Users and their API keys. Every method returns plain data (never entities)
 * and is keyed by its arguments: reads by id or key hash, and every change of
 * a key hash goes through {@link replaceApiKeyHash} or
 * {@link deleteWithApiKeyHash}, which receive the old hash.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly writes: UncertainWrites,
    private readonly transactions: BoundedTransactions,
  ) {}

  /** Registers a user and issues their first API key. */
  @CacheInvalidate(countsChanged)
  async register(input: CreateUserDto): Promise<ApiKeyIssuedView> {
    const apiKey = generateApiKey();
    const user = this.users.create({
      email: input.email,
      name: input.name,
      apiKeyHash: hashApiKey(apiKey),
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      throw this.conflictOr(error);
    }
    return { user: toUserView(user), apiKey };
  }

  /** @throws NotFoundError */
  async findOne(id: string): Promise<UserView> {
    return this.reload(id);
  }

  /** The principal owning the key with this sha256, or null. */
  // runs on every request; rotation and deletion invalidate it (auth:<old hash>).
  // No grace: a key's entry past its TTL is checked again, never served stale
  @Cacheable({ key: 'auth:{0}', ttl: '5m', grace: false })
  async findByApiKeyHash(apiKeyHash: string): Promise<Principal | null> {
    const user = await this.users.findOne({
      where: { apiKeyHash },
      select: { id: true },
    });
    return user ? { id: user.id } : null;
  }

  /**
   * Changes a user's name and/or email; only the user themself may. One
   * UPDATE (no transaction), and none when nothing changes.
   * @throws NotFoundError, ForbiddenError, ConflictError (email taken)
   */
  @CacheInvalidate({
    tags: (_ctx, user) => [cacheTags.user((user as UserView).id)],
  })
  async update(
    actorId: string,
    id: string,
    input: UpdateUserDto,
  ): Promise<UserView> {
    const user = await this.requireSelf(actorId, id);
    const changes: Partial<Pick<User, 'email' | 'name'>> = {};
    if (input.email !== undefined && input.email !== user.email) {
      changes.email = input.email;
    }
    if (input.name !== undefined && input.name !== user.name) {
      changes.name = input.name;
    }
    if (Object.keys(changes).length === 0) return toUserView(user);
    return this.writes.run({ tags: [cacheTags.user(id)] }, async () => {
      try {
        await this.users.update({ id }, changes);
      } catch (error) {
        throw this.conflictOr(error);
      }
      return this.reload(id);
    });
  }

  /**
   * Deletes a user with their projects and terms; only the user themself may.
   * @throws NotFoundError, ForbiddenError
   */
  async remove(actorId: string, id: string): Promise<DeletedUser> {
    await this.requireSelf(actorId, id);
    return this.deleteWithApiKeyHash(id, await this.apiKeyHashOf(id));
  }

  /**
   * Deletes the user whose current key hash is `apiKeyHash` (cascades to
   * projects and terms) and reports the projects that went with them. The
   * user row is locked first, so that no project can be added meanwhile.
   * Should the database fail, the projects read beforehand are the ones
   * invalidated (see `UncertainWrites`).
   */
  @CacheInvalidate(
    {
      keys: ['auth:{1}'],
      tags: (ctx, deleted) =>
        userGoneTargets(
          ctx.args[0] as string,
          ctx.args[1] as string,
          (deleted as DeletedUser).projectIds,
        ).tags,
    },
    countsChanged,
  )
  async deleteWithApiKeyHash(
    id: string,
    apiKeyHash: string,
  ): Promise<DeletedUser> {
    const owned = await this.users.manager.find(Project, {
      where: { ownerId: id },
      select: { id: true },
    });
    const targets = userGoneTargets(
      id,
      apiKeyHash,
      owned.map((p) => p.id),
    );
    return this.writes.run(targets, () => this.deleteLocked(id, apiKeyHash));
  }

  private deleteLocked(id: string, apiKeyHash: string): Promise<DeletedUser> {
    return this.transactions.run(async (tx) => {
      const user = await tx
        .getRepository(User)
        .createQueryBuilder('user')
        .setLock('pessimistic_write')
        .where('user.id = :id AND user.apiKeyHash = :apiKeyHash', {
          id,
          apiKeyHash,
        })
        .getOne();
      if (!user) return { projectIds: [] };
      const projects = await tx
        .getRepository(Project)
        .find({ where: { ownerId: id }, select: { id: true } });
      await tx.getRepository(User).delete({ id });
      return { projectIds: projects.map((p) => p.id) };
    });
  }

  /**
   * Issues a new API key; the old one stops working at once.
   * @throws NotFoundError
   */
  async rotateApiKey(userId: string): Promise<ApiKeyIssuedView> {
    const oldHash = await this.apiKeyHashOf(userId);
    const apiKey = generateApiKey();
    const user = await this.replaceApiKeyHash(
      userId,
      oldHash,
      hashApiKey(apiKey),
    );
    return { user, apiKey };
  }

  /**
   * Swaps the key hash if it is still `oldHash`.
   * @throws ConflictError when the key was changed concurrently.
   */
  @CacheInvalidate('auth:{1}', 'auth:{2}')
  async replaceApiKeyHash(
    id: string,
    oldHash: string,
    newHash: string,
  ): Promise<UserView> {
    const targets = {
      keys: [cacheKeys.auth(oldHash), cacheKeys.auth(newHash)],
    };
    return this.writes.run(targets, async () => {
      const result = await this.users.update(
        { id, apiKeyHash: oldHash },
        { apiKeyHash: newHash },
      );
      if (!result.affected) {
        throw new ConflictError('The API key was changed concurrently; retry');
      }
      return this.reload(id);
    });
  }

  /**
   * Reads a row straight from the database. Writes use this, never the public
   * (cacheable) `findOne`, so that they return what they wrote.
   */
  private async reload(id: string): Promise<UserView> {
    const row = await this.users.findOneBy({ id });
    if (!row) throw NotFoundError.of('User', id);
    return toUserView(row);
  }

  private async requireSelf(actorId: string, id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw NotFoundError.of('User', id);
    if (user.id !== actorId) {
      throw new ForbiddenError(
        'Only the user themself may change or delete this user',
      );
    }
    return user;
  }

  private async apiKeyHashOf(id: string): Promise<string> {
    const user = await this.users.findOne({
      where: { id },
      select: { id: true, apiKeyHash: true },
    });
    if (!user) throw NotFoundError.of('User', id);
    return user.apiKeyHash;
  }

  private conflictOr(error: unknown): unknown {
    return isUniqueViolation(error, EMAIL_UNIQUE)
      ? new ConflictError('A user with this email already exists', {
          cause: error,
        })
      : error;
  }
}
