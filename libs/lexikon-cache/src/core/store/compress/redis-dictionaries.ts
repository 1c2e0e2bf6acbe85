import type { Cluster, Redis } from 'ioredis';
import type { DictionaryShare } from './payload-compression.js';

/** Dictionaries in Redis, without a TTL: entries that name one may outlive any writer. */
export function redisDictionaries(client: Redis | Cluster): DictionaryShare {
  return {
    fetch: (key) => client.get(key),
    publish: async (key, text) => {
      await client.set(key, text, 'NX');
    },
  };
}
