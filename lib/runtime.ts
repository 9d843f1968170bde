import { loadConfig, type Config } from './config';
import { createDocumentClient, type TableRef } from './data/client';
import type { EventTargets } from './domain/target-url';
import type { Resolver } from './events/sender';
import type { SecretBox } from './secrets/box';
import type { WebhookSecrets } from './webhooks/secret-store';

/** How lifecycle events are delivered to subscribers (docs/events.md); tests shorten the times. */
export type EventDeliverySettings = {
  /** `public` (deployed): https to public addresses only; `loopback` (npm start): this machine only. */
  targets: EventTargets;
  /** One attempt's limit: a subscriber answers 2xx within it or the attempt failed. */
  timeoutMs: number;
  /** At most this much of an answer is read (then thrown away). */
  maxBodyBytes: number;
  /** How long a worker holds a (subscription, user) pair; renewed with every event delivered. */
  leaseMs: number;
  /** Failing this long, the head event is parked. */
  parkAfterMs: number;
  /** Events one run delivers before it hands the pair on (a fresh message), so no run hogs a worker. */
  maxEventsPerRun: number;
  /** How host names are resolved (tests stand in their own; the address checks apply either way). */
  resolve?: Resolver | undefined;
};

export const defaultEventDelivery: EventDeliverySettings = {
  targets: 'public',
  timeoutMs: 15_000,
  maxBodyBytes: 64 * 1024,
  leaseMs: 60_000,
  parkAfterMs: 24 * 3_600_000,
  maxEventsPerRun: 100,
};

/** Everything a use case needs from the outside world, passed explicitly so tests can swap it. */
export type Deps = {
  table: TableRef;
  webhookSecrets: WebhookSecrets;
  clock: () => Date;
  settings: { invitationTtlHours: number; loginChangeTtlHours: number; retentionDays: number; subjectClaim?: string };
  /** Event delivery to webhook subscribers; unset parts take {@link defaultEventDelivery}. */
  events?: Partial<EventDeliverySettings>;
  /** Seals (and, in the delivery functions only, opens) subscription secrets and connector tokens. */
  secretBox: SecretBox;
};

/**
 * What only some functions build: the HR webhook functions pass how to read the webhook secrets
 * (lib/webhooks/secrets.ts), so no other bundle carries the secrets clients.
 */
export type RuntimeParts = {
  webhookSecretsFor?: (config: Config) => WebhookSecrets;
  /** How this function seals and opens stored secrets (lib/secrets/); without it, it can do neither. */
  secretBoxFor?: (config: Config) => SecretBox;
};

const noSecretBox: SecretBox = {
  seal: async () => {
    throw new Error('this function seals no secrets (secretBoxFor in its handler)');
  },
  open: async () => {
    throw new Error('this function opens no secrets (secretBoxFor in its handler)');
  },
};

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
    events: overrides.events ?? { targets: config.eventTargets },
    secretBox: overrides.secretBox ?? parts.secretBoxFor?.(config) ?? noSecretBox,
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
