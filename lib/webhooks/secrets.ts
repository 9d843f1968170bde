import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/** Where each provider's signing secret comes from. */
export interface WebhookSecrets {
  get(provider: string): Promise<string | undefined>;
}

/** Local: from environment variables, read once at start-up. */
export class StaticWebhookSecrets implements WebhookSecrets {
  constructor(private readonly secrets: Record<string, string | undefined>) {}
  async get(provider: string): Promise<string | undefined> {
    return this.secrets[provider] || undefined;
  }
}

/**
 * AWS: one Secrets Manager secret holding `{"standard": "whsec_...", "gusto": "...", "bamboohr": "..."}`,
 * cached for five minutes by Powertools Parameters so rotation takes effect without a deploy.
 */
export class SecretsManagerWebhookSecrets implements WebhookSecrets {
  constructor(private readonly secretId: string) {}
  async get(provider: string): Promise<string | undefined> {
    const secrets = (await getSecret<Record<string, string>>(this.secretId, { transform: 'json', maxAge: 300 })) ?? {};
    const value = secrets[provider];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }
}
