import { loadConfig, type Config } from './config';
import { createDocumentClient, type TableRef } from './data/client';
import type { WebhookSecrets } from './webhooks/secret-store';

/** Everything a use case needs from the outside world, passed explicitly so tests can swap it. */
export type Deps = {
  table: TableRef;
  webhookSecrets: WebhookSecrets;
  clock: () => Date;
  settings: { invitationTtlHours: number; loginChangeTtlHours: number; retentionDays: number; subjectClaim?: string };
};

/**
 * What only some functions build: the HR webhook functions pass how to read the webhook secrets
 * (lib/webhooks/secrets.ts), so no other bundle carries the secrets clients.
 */
export type RuntimeParts = { webhookSecretsFor?: (config: Config) => WebhookSecrets };

const noWebhookSecrets: WebhookSecrets = {
  get: async () => {
    throw new Error('this function reads no webhook secrets (readsWebhookSecrets in lib/http/routes.ts)');
  },
};

export function createDeps(config: Config, overrides: Partial<Deps> = {}, parts: RuntimeParts = {}): Deps {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  return {
    table: { client, name: config.tableName },
    webhookSecrets: overrides.webhookSecrets ?? parts.webhookSecretsFor?.(config) ?? noWebhookSecrets,
    clock: overrides.clock ?? (() => new Date()),
    settings: overrides.settings ?? {
      invitationTtlHours: config.invitationTtlHours,
      loginChangeTtlHours: config.loginChangeTtlHours,
      retentionDays: config.retentionDays,
      subjectClaim: config.subjectClaim,
    },
  };
}

let current: Deps | undefined;

/** The process-wide dependencies: built from the environment on first use (a Lambda cold start). */
export function runtime(parts: RuntimeParts = {}): Deps {
  current ??= createDeps(loadConfig(process.env), {}, parts);
  return current;
}

/** The local server and tests install their own dependencies before serving. */
export function installRuntime(deps: Deps): void {
  current = deps;
}
