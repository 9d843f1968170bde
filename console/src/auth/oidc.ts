/**
 * Placeholder until the OIDC sign-in module lands (authorization code + PKCE, issue 16's AWS
 * half): the interface the console calls, each function refusing with the same message.
 */
export type OidcConfig = { issuer: string; clientId: string; scope: string };

const notConfigured = () => new Error('OIDC sign-in is not configured');

export async function oidcSignIn(_cfg: OidcConfig): Promise<void> {
  throw notConfigured();
}

export async function oidcCompleteSignIn(_cfg: OidcConfig): Promise<string | undefined> {
  throw notConfigured();
}

export async function oidcAccessToken(_cfg: OidcConfig): Promise<string | undefined> {
  throw notConfigured();
}

export async function oidcSignOut(_cfg: OidcConfig): Promise<void> {
  throw notConfigured();
}
