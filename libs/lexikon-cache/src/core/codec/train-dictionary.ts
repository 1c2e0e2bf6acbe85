import { MAX_DICTIONARY_BYTES } from '../options/resolve-compression.js';
import { encodeValue } from './value-codec.js';

/**
 * A preset dictionary for `compression.dictionaries` made of sample values
 * of one namespace, as they are stored: deflate then finds their field
 * names and common values in the dictionary instead of in the entry itself.
 *
 * @example
 * const terms = trainDictionary(await repo.find({ take: 100 }));
 * LexikonCacheModule.forRoot({ compression: { dictionaries: { terms } } });
 */
export function trainDictionary(
  samples: readonly unknown[],
  maxBytes = MAX_DICTIONARY_BYTES,
): string {
  const limit = Math.min(maxBytes, MAX_DICTIONARY_BYTES);
  const seen = new Set<string>();
  let out = '';
  for (const sample of samples) {
    const text = encodeValue(sample);
    if (seen.has(text)) continue;
    if (Buffer.byteLength(out + text) > limit) break;
    seen.add(text);
    out += text;
  }
  return out;
}
