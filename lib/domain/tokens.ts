import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Single-use tokens mailed to people (invitations, login-email confirmations). The token is
 * `<userId>.<secret>`: the user id lets us read the pending item directly (one request, no
 * index), the 256-bit secret proves possession. Only the secret's SHA-256 is ever stored.
 */
export type IssuedToken = { token: string; hash: string };

export function issueToken(userId: string): IssuedToken {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${userId}.${secret}`, hash: hashSecret(secret) };
}

export function parseToken(token: string): { userId: string; secret: string } | undefined {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { userId: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
