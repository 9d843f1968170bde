import type { Config } from '../config';
import { ExtensionWebhookSecrets } from './secrets-extension';

/** Where each provider's signing secret comes from. */
export interface WebhookSecrets {
  get(provider: string): Promise<string | undefined>;
}

/** Local: from environment variables, read once at start-up. */
export class StaticWebhookSecrets implements WebhookSecrets {
  constructor(private readonly secrets: Record<string, string | undefined>) {}
  async get(provider: string): Promise<string | undefined> {
    return (Object.hasOwn(this.secrets, provider) && this.secrets[provider]) || undefined;
  }
}


/**
 * The secrets of this deployment: the Secrets Manager secret in AWS (read through the Parameters
 * and Secrets extension, which only the webhook functions have, as only they may read the secret),
 * environment variables locally. Building either costs nothing until a webhook asks.
 */
export function webhookSecretsFor(config: Config): WebhookSecrets {
  return config.webhookSecretsArn
    ? new ExtensionWebhookSecrets({ secretId: config.webhookSecretsArn, port: config.secretsExtensionPort, sessionToken: () => process.env.AWS_SESSION_TOKEN })
    : new StaticWebhookSecrets(config.webhookSecrets);
}
