import type { TableRef } from '../data/client';
import { getUser, listUsers } from '../data/users';
import { Forbidden } from '../domain/errors';
import type { LocalJwt } from './local-auth';

/**
 * The console's local-only sign-in (npm start, never deployed): pick a directory admin and get
 * a bearer token signed with the local key, the one `npm run token` uses. The API still checks
 * the admin's rights on every call; this only spares pasting a token.
 */
export type LocalAdmin = { id: string; name: string; loginEmail: string };
export type LocalSignIn = {
  admins(): Promise<LocalAdmin[]>;
  signIn(userId: string): Promise<{ token: string; expiresAt: string }>;
};

const TOKEN_TTL_SECONDS = 12 * 3600;

export function localSignIn(table: TableRef, jwt: LocalJwt): LocalSignIn {
  return {
    /** Access pattern: active users by status (a local directory is small), keeping the admins. */
    async admins() {
      const admins: LocalAdmin[] = [];
      let cursor: string | undefined;
      do {
        const page = await listUsers(table, { status: 'active', limit: 100, cursor });
        for (const user of page.items) {
          if (user.isAdmin) admins.push({ id: user.id, name: `${user.firstName} ${user.lastName}`.trim(), loginEmail: user.loginEmail });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return admins.sort((a, b) => a.name.localeCompare(b.name) || a.loginEmail.localeCompare(b.loginEmail));
    },
    async signIn(userId) {
      const user = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(userId) ? await getUser(table, userId) : undefined;
      if (user?.status !== 'active' || !user.isAdmin) throw new Forbidden('Only an active directory admin can sign in to the console');
      const token = await jwt.sign(user.id, TOKEN_TTL_SECONDS);
      // The expiry the token itself carries, so the console forgets it exactly when the server stops taking it.
      const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
  };
}
