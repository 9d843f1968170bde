import { installCapability } from '../runtime';
import { StaticWebhookSecrets } from '../webhooks/secrets';
import { SecretsManagerWebhookSecrets } from '../webhooks/secrets-manager';

/** HR webhook signing secrets: the Secrets Manager secret in AWS, environment variables otherwise. */
installCapability('webhookSecrets', (config) =>
  config.webhookSecretsArn ? new SecretsManagerWebhookSecrets(config.webhookSecretsArn) : new StaticWebhookSecrets(config.webhookSecrets),
);
