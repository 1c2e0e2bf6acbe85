import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { answered, type FailOpenStore } from '../guard/fail-open-store.js';
import type { CacheLogger } from '../logger.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import { createRedisClient } from '../store/redis/redis-connection.js';
import { ScriptRunner } from '../store/redis/script-runner.js';
import { reviveWhenEnded } from '../store/redis/sentinel-revival.js';
import { TierBus } from './tier-bus.js';
import { TwoTier, type TierScripts } from './two-tier.js';

/** A copy of a Sentinel client gets the store connection's revival too. */
function sentinelCopy(copy: Redis): Redis {
  if (copy.options.sentinels?.length) reviveWhenEnded(copy);
  return copy;
}

/**
 * The in-process tier over `client` (the store's connection, for its
 * scripts) and a bus connection of its own, or undefined when the options
 * ask for none or there is no Redis to keep it coherent with.
 */
export function createTier(
  client: Redis | Cluster | undefined,
  options: ResolvedCacheOptions,
  guarded: FailOpenStore,
  allGlob: string,
  logger: CacheLogger,
): TwoTier | undefined {
  const l1 = options.l1;
  if (!l1) return undefined;
  if (!client) {
    logger.warn(
      'l1 needs Redis; the memory store is in process already, so it is off',
    );
    return undefined;
  }
  const runner = new ScriptRunner(client);
  const scripts: TierScripts = async (script, keys, args, essential) => {
    const r = await guarded.callRaw(
      'tier',
      keys[0] ?? '',
      () => runner.run(script, keys, args),
      essential,
    );
    return answered(r) ? r : undefined;
  };
  const id = randomBytes(9).toString('base64url');
  // named, so that an operator (or a test) can tell it in CLIENT LIST
  const connectionName = `lexikon-l1-bus-${id}`;
  const subscriber = l1.bus
    ? createRedisClient({
        ...options,
        redis: { ...l1.bus, ioredis: { ...l1.bus.ioredis, connectionName } },
      }).client
    : client.isCluster
      ? (client as Cluster).duplicate(undefined, {
          redisOptions: {
            ...(client as Cluster).options.redisOptions,
            connectionName,
          },
        })
      : sentinelCopy((client as Redis).duplicate({ connectionName }));
  const bus = new TierBus(subscriber, true, options.keyPrefix, scripts);
  return new TwoTier(
    id,
    scripts,
    bus,
    {
      keyPrefix: options.keyPrefix,
      leaseMs: l1.leaseMs,
      maxLagMs: l1.maxLagMs,
      ttlMs: l1.ttlMs,
      limits: { maxEntries: l1.maxEntries, maxBytes: l1.maxBytes },
    },
    allGlob,
    logger,
  );
}
