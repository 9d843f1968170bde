import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { WebhookSecrets } from './secrets';

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
