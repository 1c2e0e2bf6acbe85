import { createHash, randomBytes } from 'node:crypto';

/** Every API key starts with this, so leaked keys are easy to recognise. */
export const API_KEY_PREFIX = 'lx_';

const API_KEY_SHAPE = /^lx_[A-Za-z0-9_-]{1,200}$/;

/** A new random key: `lx_` + 32 random bytes in base64url. Shown once, never stored. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a key: hex sha256. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** Whether a presented credential could be a key at all (saves a lookup). */
export function looksLikeApiKey(value: string): boolean {
  return API_KEY_SHAPE.test(value);
}
