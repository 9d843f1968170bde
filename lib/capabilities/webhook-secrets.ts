import { installCapability } from '../runtime';
import { ExtensionWebhookSecrets } from '../webhooks/secrets-extension';
import { StaticWebhookSecrets } from '../webhooks/secrets';

/** HR webhook signing secrets: the Secrets Manager secret in AWS (through the extension), environment variables otherwise. */
installCapability('webhookSecrets', (config) =>
  config.webhookSecretsArn
    ? new ExtensionWebhookSecrets({ secretId: config.webhookSecretsArn, port: config.secretsExtensionPort, sessionToken: () => process.env.AWS_SESSION_TOKEN })
    : new StaticWebhookSecrets(config.webhookSecrets),
);
