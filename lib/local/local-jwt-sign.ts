import { createHmac } from 'node:crypto';

/** The local tokens' issuer and audience, which the local server's authorizer requires. */
export const LOCAL_ISSUER = 'urn:employee-directory:local';
export const LOCAL_AUDIENCE = 'employee-directory';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * An HS256 JWT for `subject`, as lib/local/local-auth.ts verifies it. Signed with node:crypto
 * alone, so `npm run token` loads no JWT library (the server verifies with jose).
 */
export function signLocalJwt(key: Uint8Array, subject: string, ttlSeconds = 12 * 3600, now = Date.now()): string {
  const issuedAt = Math.floor(now / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub: subject, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: issuedAt, exp: issuedAt + ttlSeconds }));
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
