import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';

/**
 * Sign-in through the deployment's OIDC provider (the issuer the API's JWT authorizer trusts):
 * authorization code with PKCE (S256), which oidc-client-ts always uses for the code flow, as a
 * public client (no secret). The user (access, ID and any refresh token) and the in-flight
 * request's state and code verifier live in sessionStorage: one tab's sign-in, gone when the tab
 * closes, never shared with other tabs or left on the machine.
 *
 * The redirect URI is `<origin>/console/callback`, the sign-out return `<origin>/console/`; both
 * must be registered with the provider (docs/deployment.md, "The admin console").
 */
export type OidcConfig = { issuer: string; clientId: string; scope: string };

/** Where the console is served (Vite's `base`); the provider sends the browser back under it. */
const consoleBase = '/console/';
const callbackPath = `${consoleBase}callback`;

/** A token this close to expiry is treated as expired: a request made with it could arrive too late. */
const expirySkewSeconds = 30;

/** What the console asked the provider to return it to, carried through the redirect in the state. */
type ReturnState = { returnTo?: string };

const managers = new Map<string, UserManager>();

function managerFor(cfg: OidcConfig): UserManager {
  const key = JSON.stringify([cfg.issuer, cfg.clientId, cfg.scope]);
  let manager = managers.get(key);
  if (!manager) {
    const origin = window.location.origin;
    manager = new UserManager({
      authority: cfg.issuer,
      client_id: cfg.clientId,
      scope: cfg.scope,
      response_type: 'code',
      redirect_uri: `${origin}${callbackPath}`,
      post_logout_redirect_uri: `${origin}${consoleBase}`,
      userStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'directory.oidc.user.' }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'directory.oidc.state.' }),
      // Renewal happens on demand (oidcAccessToken), with a refresh token only: the iframe kind
      // would need the console framed, which its headers forbid (frame-ancestors 'none').
      automaticSilentRenew: false,
      monitorSession: false,
      // The console shows what the ID token says; the userinfo endpoint would be one more origin to allow.
      loadUserInfo: false,
    });
    managers.set(key, manager);
  }
  return manager;
}

/** Whether the page is the provider's redirect back: the callback path with `state` and a `code` or an `error`. */
function isCallback(url: URL): boolean {
  return url.pathname === callbackPath && url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'));
}

/** A path of the console to come back to, never the callback itself (which would try to redeem the code again). */
function consolePathOrHome(path: string | undefined): string {
  return path?.startsWith(consoleBase) && !path.startsWith(callbackPath) && !path.startsWith('//') ? path : consoleBase;
}

/** Sends the browser to the provider to sign in; the promise does not settle before the page is left. */
export async function oidcSignIn(cfg: OidcConfig): Promise<void> {
  const state: ReturnState = { returnTo: consolePathOrHome(window.location.pathname + window.location.search) };
  await managerFor(cfg).signinRedirect({ state });
}

/**
 * On the provider's redirect back: redeems the code (with the PKCE verifier) at the token endpoint,
 * stores the user, puts the page the sign-in started from in the address bar (so the code and
 * state leave it and the history) and answers the access token. Anywhere else: undefined. A
 * refused sign-in (the provider's `error`, a state that is not this tab's) rejects with the
 * library's error, whose message says why.
 */
export async function oidcCompleteSignIn(cfg: OidcConfig): Promise<string | undefined> {
  const url = new URL(window.location.href);
  if (!isCallback(url)) return undefined;
  let user: User;
  try {
    user = await managerFor(cfg).signinRedirectCallback(url.href);
  } finally {
    // Success or not, the code is single-use: a reload must not present it again.
    window.history.replaceState(null, '', consoleBase);
  }
  window.history.replaceState(null, '', consolePathOrHome((user.state as ReturnState | undefined)?.returnTo));
  return user.access_token;
}

/**
 * The signed-in user's access token while it is valid; near or past its expiry, a new one
 * through the refresh token if the provider issued one. Undefined when nobody is signed in in
 * this tab, or the session cannot be renewed (then the stored user is forgotten).
 */
export async function oidcAccessToken(cfg: OidcConfig): Promise<string | undefined> {
  const manager = managerFor(cfg);
  const user = await manager.getUser();
  if (!user) return undefined;
  if (user.expires_in === undefined || user.expires_in > expirySkewSeconds) return user.access_token;
  if (user.refresh_token) {
    try {
      const renewed = await manager.signinSilent();
      if (renewed) return renewed.access_token;
    } catch {
      // A refused refresh (revoked, expired) means signing in again, as having none does.
    }
  }
  await manager.removeUser();
  return undefined;
}

/**
 * Forgets this tab's user (tokens) and nothing else: the provider's session stays, so the admin's
 * sign-in to other applications is untouched. For a token the API refused; the Sign out button
 * uses oidcSignOut.
 */
export async function oidcForget(cfg: OidcConfig): Promise<void> {
  await managerFor(cfg).removeUser();
}

/**
 * Sign out (the admin's own choice): forgets the tab's user and, when the provider has an end-session endpoint, signs out there too
 * (RP-initiated logout, coming back to /console/): otherwise the provider's session would sign
 * the admin straight back in. Without one, only this tab's tokens are dropped.
 */
export async function oidcSignOut(cfg: OidcConfig): Promise<void> {
  const manager = managerFor(cfg);
  const user = await manager.getUser();
  await manager.removeUser();
  let endSession: string | undefined;
  try {
    endSession = await manager.metadataService.getEndSessionEndpoint();
  } catch {
    endSession = undefined;
  }
  if (!endSession) return;
  await manager.signoutRedirect({ ...(user?.id_token && { id_token_hint: user.id_token }) });
}
