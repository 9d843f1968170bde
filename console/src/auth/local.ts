/**
 * Local-only sign-in (npm start): pick a directory admin and get a token signed with the same
 * key `npm run token` uses. These routes are the local server's own, never deployed and not in
 * the OpenAPI document, hence plain fetch rather than the generated client.
 */
export type LocalAdmin = { id: string; name: string; loginEmail: string };
export type LocalSession = { token: string; expiresAt: string; userId: string };

const KEY = 'directory-console.local-session';

export async function listLocalAdmins(apiBaseUrl: string): Promise<LocalAdmin[]> {
  const response = await fetch(`${apiBaseUrl}/_local/admins`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error('The local server did not list its admins. Is this console served by npm start?');
  return ((await response.json()) as { items: LocalAdmin[] }).items;
}

export async function localSignIn(apiBaseUrl: string, userId: string): Promise<LocalSession> {
  const response = await fetch(`${apiBaseUrl}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<LocalSession> & { detail?: string };
  if (!response.ok || !body.token || !body.expiresAt) throw new Error(body.detail ?? 'The local server refused the sign-in.');
  const session = { token: body.token, expiresAt: body.expiresAt, userId };
  // Per tab, and gone with it: a local token is as good as the admin's rights for 12 hours.
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function storedLocalSession(now = Date.now()): LocalSession | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as LocalSession | null;
    if (session && Date.parse(session.expiresAt) > now + 30_000) return session;
  } catch {
    // A damaged entry is as good as none.
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export function forgetLocalSession(): void {
  sessionStorage.removeItem(KEY);
}
