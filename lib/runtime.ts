import { loadConfig, type Config } from './config';
import { createDocumentClient, type TableRef } from './data/client';
import type { WebhookSecrets } from './webhooks/secrets';

/** Everything a use case needs from the outside world, passed explicitly so tests can swap it. */
export type Deps = {
  table: TableRef;
  webhookSecrets: WebhookSecrets;
  clock: () => Date;
  settings: { invitationTtlHours: number; loginChangeTtlHours: number; retentionDays: number; subjectClaim?: string };
};

/**
 * The adapters only some functions need (Secrets Manager) are capabilities: a handler
 * file imports `lib/capabilities/<name>` to install one, so every other function's bundle stays
 * free of that client. Using a capability a function did not install fails loudly.
 */
export type Capabilities = {
  webhookSecrets: (config: Config) => WebhookSecrets;
};
const installed: Partial<Capabilities> = {};

export function installCapability<K extends keyof Capabilities>(name: K, factory: Capabilities[K]): void {
  installed[name] = factory;
}

function capability<K extends keyof Capabilities>(name: K, config: Config): ReturnType<Capabilities[K]> {
  const factory = installed[name];
  if (factory) return factory(config) as ReturnType<Capabilities[K]>;
  const missing = async () => {
    throw new Error(`capability ${name} is not installed in this function (import lib/capabilities/ for it)`);
  };
  return new Proxy({}, { get: () => missing }) as ReturnType<Capabilities[K]>;
}

export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  return {
    table: { client, name: config.tableName },
    webhookSecrets: overrides.webhookSecrets ?? capability('webhookSecrets', config),
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
