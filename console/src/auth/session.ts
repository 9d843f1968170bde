import type { AuthConfig } from '../config';
import { forgetLocalSession, storedLocalSession } from './local';
import { oidcAccessToken, oidcCompleteSignIn, oidcSignOut } from './oidc';

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

/** The returning redirect of an OIDC sign-in carries `code` (or `error`) and `state` in the query. */
function isOidcRedirect(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** The current token: the stored local one, or the OIDC library's (completing a sign-in redirect first). */
export async function currentToken(auth: AuthConfig): Promise<string | undefined> {
  if (auth.kind === 'local') return storedLocalSession()?.token;
  if (isOidcRedirect(location.search)) {
    const token = await oidcCompleteSignIn(auth);
    // Leave the code and state out of the address bar and history.
    history.replaceState(null, '', location.pathname);
    if (token) return token;
  }
  return oidcAccessToken(auth);
}

export async function signOut(auth: AuthConfig): Promise<void> {
  if (auth.kind === 'local') forgetLocalSession();
  else await oidcSignOut(auth);
}
