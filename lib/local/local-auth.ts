import { jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalJwt } from './local-jwt-sign';

/**
 * Locally, the server plays API Gateway's JWT authorizer: it verifies HS256 tokens signed with a
 * key kept in the git-ignored state folder, and `npm run token` signs with the same key.
 */
export { LOCAL_AUDIENCE, LOCAL_ISSUER } from './local-jwt-sign';

export class LocalJwt {
  private constructor(private readonly key: Uint8Array) {}

  static fromKey(key: Uint8Array): LocalJwt {
    return new LocalJwt(key);
  }

  /** Reads the key file, creating it (mode 600, in a folder of mode 700) on first use. */
  static fromFile(path: string): LocalJwt {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
    }
    return new LocalJwt(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url'));
  }

  async sign(subject: string, ttlSeconds = 12 * 3600): Promise<string> {
    return signLocalJwt(this.key, subject, ttlSeconds);
  }

  /** The token's claims, or undefined for anything not signed by us, expired or mis-addressed. */
  async verify(token: string): Promise<Record<string, string | number | boolean | string[]> | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] });
      return payload as Record<string, string | number | boolean | string[]>;
    } catch {
      return undefined;
    }
  }
}
