import { loadConfig, type Config } from './config';
import { createDocumentClient, type TableRef } from './data/client';
import { webhookSecretsFor, type WebhookSecrets } from './webhooks/secrets';

/** Everything a use case needs from the outside world, passed explicitly so tests can swap it. */
export type Deps = {
  table: TableRef;
  webhookSecrets: WebhookSecrets;
  clock: () => Date;
  settings: { invitationTtlHours: number; loginChangeTtlHours: number; retentionDays: number; subjectClaim?: string };
};

export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  return {
    table: { client, name: config.tableName },
    webhookSecrets: overrides.webhookSecrets ?? webhookSecretsFor(config),
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
export function runtime(): Deps {
  current ??= createDeps(loadConfig(process.env));
  return current;
}

/** The local server and tests install their own dependencies before serving. */
export function installRuntime(deps: Deps): void {
  current = deps;
}
