import type { WebhookSecrets } from './secret-store';

export type SecretsExtensionOptions = {
  /** The Secrets Manager secret holding `{"standard": "whsec_...", "gusto": "...", "bamboohr": "..."}`. */
  secretId: string;
  /** The extension's port (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, 2773 unless the stack changes it). */
  port: number;
  /** The function's session token: the extension only answers callers that present it. */
  sessionToken: () => string | undefined;
};

/**
 * AWS: the signing secrets, read through the AWS Parameters and Secrets Lambda Extension (a layer
 * the stack adds to the webhook function). The extension fetches the secret with the function's
 * role and caches it for five minutes, so rotation takes effect without a deploy, and the function
 * bundles no Secrets Manager client. Each call is a loopback request; a failure throws, so the
 * webhook answers 500 and the HR system retries, rather than treating the provider as unconfigured.
 */
export class ExtensionWebhookSecrets implements WebhookSecrets {
  constructor(private readonly options: SecretsExtensionOptions) {}

  async get(provider: string): Promise<string | undefined> {
    const { secretId, port, sessionToken } = this.options;
    const response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': sessionToken() ?? '' },
      signal: AbortSignal.timeout(5_000),
    });
    // The body of a refusal may echo the request; only the status is worth reporting.
    if (!response.ok) throw new Error(`the secrets extension answered HTTP ${response.status} for the HR webhook secret`);
    const { SecretString } = (await response.json()) as { SecretString?: string };
    const secrets = parseSecrets(SecretString);
    const value = Object.hasOwn(secrets, provider) ? secrets[provider] : undefined;
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }
}

/**
 * The secret's JSON object. A secret that is not one is an operator's mistake to report, with a
 * fixed message: a JSON parse error would quote the start of the secret into the logs.
 */
function parseSecrets(text: string | undefined): Record<string, unknown> {
  if (text === undefined) throw new Error('the HR webhook secret has no string value; store {"<provider>": "<secret>", ...} as its text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the HR webhook secret is not JSON; store {"<provider>": "<secret>", ...} as its text');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('the HR webhook secret is not a JSON object of provider names to secrets');
  return parsed as Record<string, unknown>;
}
