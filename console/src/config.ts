/**
 * The console's runtime configuration, fetched from /console/config.json at boot so one build
 * serves every deployment: `npm start` answers it for itself, the stacks write it next to the
 * built files.
 */
export type OidcAuth = { kind: 'oidc'; issuer: string; clientId: string; scope: string };
export type AuthConfig = { kind: 'local' } | OidcAuth;
export type ConsoleConfig = { apiBaseUrl: string; auth: AuthConfig };

/** Why the console cannot start, in words for whoever opened it. */
export class ConfigError extends Error {}

export function parseConfig(value: unknown): ConsoleConfig {
  const config = value as Partial<ConsoleConfig> | null;
  if (!config || typeof config.apiBaseUrl !== 'string' || config.apiBaseUrl === '') throw new ConfigError('config.json has no apiBaseUrl');
  const auth = config.auth as Partial<OidcAuth> | { kind?: unknown } | undefined;
  if (auth?.kind === 'local') return { apiBaseUrl: config.apiBaseUrl.replace(/\/+$/, ''), auth: { kind: 'local' } };
  if (auth?.kind === 'oidc') {
    const { issuer, clientId, scope } = auth as Partial<OidcAuth>;
    if (typeof issuer !== 'string' || typeof clientId !== 'string' || typeof scope !== 'string') {
      throw new ConfigError('config.json names OIDC sign-in without its issuer, clientId and scope');
    }
    return { apiBaseUrl: config.apiBaseUrl.replace(/\/+$/, ''), auth: { kind: 'oidc', issuer, clientId, scope } };
  }
  throw new ConfigError('config.json names no sign-in kind ("local" or "oidc")');
}

/** `base` is where the console is served (Vite's BASE_URL, /console/). */
export async function loadConfig(base: string): Promise<ConsoleConfig> {
  let response: Response;
  try {
    response = await fetch(`${base}config.json`);
  } catch {
    throw new ConfigError('The console could not reach its server to read its configuration. Check your connection and reload.');
  }
  if (!response.ok) throw new ConfigError(`The console's configuration (config.json) could not be read: the server answered ${response.status}.`);
  try {
    return parseConfig(await response.json());
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError("The console's configuration (config.json) is not valid JSON.");
  }
}
