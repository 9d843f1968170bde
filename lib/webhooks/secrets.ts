import type { Config } from '../config';
import { ExtensionWebhookSecrets } from './secrets-extension';
import { StaticWebhookSecrets, type WebhookSecrets } from './secret-store';

export { StaticWebhookSecrets, type WebhookSecrets } from './secret-store';

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
