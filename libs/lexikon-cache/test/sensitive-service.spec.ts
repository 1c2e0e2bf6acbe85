import { Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CachePut,
  CacheService,
  LexikonCacheModule,
  SensitiveValueError,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { resolveOptions } from '../src/core/options/resolve-options.js';
import { compileCachePlan } from '../src/declarative/cache-plan.js';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';

@Injectable()
class VaultService {
  loads = 0;

  @Cacheable({ key: 'vault:{0}' })
  async find(id: string) {
    this.loads++;
    return { id, owner: { name: 'Ada', secret: 's' } };
  }

  @Cacheable({ key: 'plain:{0}' })
  async plain(id: string) {
    this.loads++;
    return { id, ssn: '078-05-1120', password: 'p' };
  }

  @Cacheable({ key: 'allowed:{0}', allowSensitive: true })
  async allowed(id: string) {
    this.loads++;
    return { id, token: 't' };
  }

  @Cacheable({ key: 'profile:{0}', sensitive: true, ttl: '1h' })
  async profile(id: string) {
    this.loads++;
    return { id, email: 'ada@example.com' };
  }

  @CachePut({ key: 'plain:{0}' })
  async rotate(id: string) {
    return { id, password: 'new' };
  }
}

describe.each<[string, LexikonCacheModuleOptions]>([
  ['warn', {}],
  ['strict', { sensitiveGuard: 'strict' }],
  ['a list of its own', { sensitiveFields: ['ssn'] }],
])('the sensitive-data guard on service methods (%s)', (mode, options) => {
  const prefix = uniquePrefix('sensitive-service');
  const warned: string[] = [];
  const debugged: string[] = [];
  let module: TestingModule;
  let vault: VaultService;
  let raw: Redis;
  let spies: { mockRestore(): void }[];

  beforeAll(async () => {
    spies = [
      jest
        .spyOn(Logger.prototype, 'warn')
        .mockImplementation((m: unknown) => void warned.push(String(m))),
      jest
        .spyOn(Logger.prototype, 'debug')
        .mockImplementation((m: unknown) => void debugged.push(String(m))),
    ];
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: testRedisUrl() },
          keyPrefix: prefix,
          interceptor: false,
          sensitiveMaxTtl: '10s',
          ...options,
        }),
      ],
      providers: [VaultService],
    }).compile();
    await module.init();
    vault = module.get(VaultService);
    raw = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await module?.close();
    await deleteKeysWithPrefix(raw, prefix);
    raw.disconnect();
    for (const s of spies) s.mockRestore();
  });

  beforeEach(() => {
    vault.loads = 0;
    warned.length = 0;
    debugged.length = 0;
  });

  const secretWarnings = () => warned.filter((m) => m.includes('looks secret'));

  if (mode === 'warn') {
    it('does not store the value, and warns once naming the method and the field', async () => {
      for (const id of ['1', '1', '2']) {
        expect(await vault.find(id)).toMatchObject({ owner: { secret: 's' } });
      }
      expect(vault.loads).toBe(3);
      expect(secretWarnings()).toEqual([
        expect.stringMatching(/^VaultService\.find: .*"owner\.secret"/),
      ]);
      expect(await raw.exists(`${prefix}vault:1`)).toBe(0);
    });

    it('does not store a @CachePut result either, and the older entry goes', async () => {
      await module.get(CacheService).set('plain:9', { id: '9' });
      await vault.rotate('9');
      expect(await raw.exists(`${prefix}plain:9`)).toBe(0);
      expect(secretWarnings()).toEqual([
        expect.stringMatching(/^VaultService\.rotate: .*"password"/),
      ]);
    });
  }

  if (mode === 'strict') {
    it('rejects the call with SensitiveValueError and stores nothing', async () => {
      const err = await vault.find('1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SensitiveValueError);
      expect((err as SensitiveValueError).code).toBe('SENSITIVE_VALUE');
      expect((err as Error).message).toMatch(
        /^VaultService\.find: .*"owner\.secret"/,
      );
      expect(await raw.exists(`${prefix}vault:1`)).toBe(0);
      await expect(vault.rotate('9')).rejects.toBeInstanceOf(
        SensitiveValueError,
      );
    });
  }

  if (mode === 'a list of its own') {
    it('replaces the default names', async () => {
      await vault.find('1');
      await vault.find('1');
      expect(vault.loads).toBe(1);
      await vault.plain('1');
      await vault.plain('1');
      expect(vault.loads).toBe(3);
      expect(secretWarnings()).toEqual([
        expect.stringMatching(/^VaultService\.plain: .*"ssn"/),
      ]);
    });
  }

  it('stores the value with allowSensitive: true', async () => {
    expect(await vault.allowed('1')).toEqual({ id: '1', token: 't' });
    expect(await vault.allowed('1')).toEqual({ id: '1', token: 't' });
    expect(vault.loads).toBe(1);
    expect(secretWarnings()).toEqual([]);
  });

  it('caps a sensitive entry’s TTL and logs its fill and hits by namespace', async () => {
    await vault.profile('1');
    await vault.profile('1');
    await vault.profile('1');
    expect(vault.loads).toBe(1);
    const ttl = await raw.pttl(`${prefix}profile:1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(debugged.filter((m) => m.includes('sensitive'))).toEqual([
      'VaultService.profile: sensitive cache fill in "profile"',
      'VaultService.profile: sensitive cache hit in "profile"',
      'VaultService.profile: sensitive cache hit in "profile"',
    ]);
    expect(debugged.join('\n')).not.toContain('ada@example.com');
  });
});

describe('the plan of a sensitive entry', () => {
  it('keeps it out of an in-process tier and caps its TTL', () => {
    const options = resolveOptions({ sensitiveMaxTtl: '30s' });
    const plan = (sensitive: boolean) =>
      compileCachePlan(
        'S.m',
        { cacheable: { key: 'k', ttl: '1h', sensitive }, invalidate: [] },
        () => undefined,
        options,
      ).cacheable;
    expect(plan(true)).toMatchObject({ inProcess: false, ttlMs: 30_000 });
    expect(plan(false)).toMatchObject({ inProcess: true, ttlMs: 3_600_000 });
  });
});
