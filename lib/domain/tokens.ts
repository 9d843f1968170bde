import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Single-use tokens mailed to people (invitations, login-email confirmations). The token is
 * `<userId>.<secret>`: the user id lets us read the pending item directly (one request, no
 * index), the 256-bit secret proves possession. Only the secret's SHA-256 is ever stored.
 * A token can be bound to the address it was mailed to (the hash covers both): presented once
 * that address is no longer the one it must be, it matches nothing.
 */
export type IssuedToken = { token: string; hash: string };

export function issueToken(userId: string, boundTo?: string): IssuedToken {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${userId}.${secret}`, hash: hashSecret(secret, boundTo) };
}

export function parseToken(token: string): { userId: string; secret: string } | undefined {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { userId: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string, boundTo?: string): string {
  // The secret is base64url, so the separator cannot occur in it.
  return createHash('sha256')
    .update(boundTo === undefined ? secret : `${secret}\n${boundTo}`)
    .digest('hex');
}

/** Constant-time comparison of a presented secret (and the address it must be bound to) with a stored hash. */
export function secretMatches(secret: string, storedHash: string, boundTo?: string): boolean {
  const presented = Buffer.from(hashSecret(secret, boundTo), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
