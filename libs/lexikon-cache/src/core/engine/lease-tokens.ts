import { randomBytes } from 'node:crypto';

/**
 * Lease tokens: unique per process (a random prefix) and per call (a
 * counter), cheap enough to propose on every read. A reader proposes its
 * token, so after a read that timed out it still knows which lease it may
 * have been granted, and can give it back.
 */
export class LeaseTokens {
  private readonly prefix = randomBytes(9).toString('base64url') + '.';
  private seq = 0;

  next(): string {
    return this.prefix + (++this.seq).toString(36);
  }
}
