import type { AuthConfig } from '../config';
import { forgetLocalSession, storedLocalSession } from './local';

/** The OIDC module (and its client library) loads only where sign-in is OIDC: a local console never downloads it. */
const oidc = () => import('./oidc');

/** Who is signed in, as far as the console knows before asking the API. */
export type SignedIn = { token: string; subject: string | undefined; email: string | undefined };

/** The claims the console shows: it trusts none of them; the API checks the token on each call. */
function claimsOf(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function signedInWith(token: string): SignedIn {
  const claims = claimsOf(token);
  return {
    token,
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    email: typeof claims.email === 'string' ? claims.email : undefined,
  };
}

/** At boot: the stored local token, or the OIDC session's (finishing the provider's redirect back first). */
export async function currentToken(auth: AuthConfig): Promise<string | undefined> {
  if (auth.kind === 'local') return storedLocalSession()?.token;
  const { oidcAccessToken, oidcCompleteSignIn } = await oidc();
  return (await oidcCompleteSignIn(auth)) ?? (await oidcAccessToken(auth));
}

/** For each call: the token as it is now (an OIDC one renewed near its expiry); undefined once signed out. */
export async function tokenNow(auth: AuthConfig): Promise<string | undefined> {
  if (auth.kind === 'local') return storedLocalSession()?.token;
  return (await oidc()).oidcAccessToken(auth);
}

export async function signInWithOidc(auth: AuthConfig): Promise<void> {
  if (auth.kind === 'oidc') await (await oidc()).oidcSignIn(auth);
}

/**
 * The handler of the API's 401s: forgets this tab's tokens (never the provider's session: a
 * refused token is no reason to end the admin's sign-in elsewhere, and a redirect would leave the
 * page before the admin learns why), then calls `then` once, however many calls were refused.
 */
export function onRefusedToken(auth: AuthConfig, then: () => void): () => void {
  let refused = false;
  return () => {
    if (refused) return;
    refused = true;
    const forget = async () => {
      if (auth.kind === 'local') forgetLocalSession();
      else await (await oidc()).oidcForget(auth);
    };
    forget().then(then, then);
  };
}

/** The Sign out button: this tab's tokens, and for OIDC the provider's session too (RP-initiated logout). */
export async function signOut(auth: AuthConfig): Promise<void> {
  if (auth.kind === 'local') forgetLocalSession();
  else await (await oidc()).oidcSignOut(auth);
}
