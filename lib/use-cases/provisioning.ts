import { createScimClient, type ScimClient } from '../connectors/scim/client';
import type { ScimCapabilities, ScimFailure, ScimOutcome } from '../connectors/scim/responses';
import {
  type Access,
  type AccessState,
  type AccountHolder,
  type Connector,
  connectorTokenPurpose,
  fieldsDigest,
  nextStep,
  type Wanted,
  wantedFor,
} from '../domain/connectors';
import { backoffMs } from '../domain/subscriptions';
import { getAccess, getConnector, putAccess, readForProvisioning, setConnectorFailing } from '../data/connectors';
import { dropPair, recordDeliveredAndRelease, recordProgress, releaseLease, takeLease, type Lease, type Target } from '../data/delivery-pairs';
import { newId } from '../data/ids';
import { queueFollowUp } from '../data/outbox';
import { eventsAfter } from '../data/subscriptions';
import { guardedFetch } from '../events/sender';
import type { ConnectorMessage } from '../domain/follow-up';
import { logger } from '../logger';
import { runSyncStep } from './connector-sync';
import { defaultEventDelivery, type Deps, type EventDeliverySettings } from '../runtime';

/**
 * Rule 14: a user's changes reach every SCIM connector (docs/connectors.md). Per connector and
 * user, one pair (lib/data/delivery-pairs.ts, the same lease and resume point as webhook
 * deliveries) applies the user's LATEST state, as the newest event reads it: a burst of changes
 * is one request, and a rehire racing a dismissal ends in the state committed last. Failures wait
 * with the same backoff as deliveries, the access state says `failed` with the reason meanwhile,
 * and after 24 h of failures the pair is parked and the connector flagged.
 */

const settingsOf = (deps: Pick<Deps, 'events'>): EventDeliverySettings => ({ ...defaultEventDelivery, ...deps.events });

/**
 * What each connector's provider said in /ServiceProviderConfig, remembered by this process for a
 * while: without it every provisioning step would cost the provider one more request (a burst of
 * 1,000 dismissals, 1,000 more), and providers rate-limit. A failed discovery is not remembered.
 */
const discovered = new Map<string, { capabilities: ScimCapabilities; until: number }>();
/** A discovery in flight, shared by the steps that start meanwhile (a burst's first steps run together). */
const discovering = new Map<string, Promise<ScimOutcome<ScimCapabilities>>>();
export const CAPABILITIES_TTL_MS = 10 * 60_000;

/** A SCIM client for a connector, its token opened (only the delivery functions can). */
export async function clientFor(deps: Deps, connector: Connector): Promise<ScimClient> {
  const settings = settingsOf(deps);
  const token = await deps.secretBox.open(connector.sealedToken, connectorTokenPurpose(connector.id));
  // Keyed by the URL too: a connector's provider is the one at its base URL.
  const key = `${connector.id} ${connector.baseUrl}`;
  const now = deps.clock().getTime();
  const remembered = discovered.get(key);
  return createScimClient({
    baseUrl: connector.baseUrl,
    token,
    fetch: guardedFetch(settings),
    timeoutMs: settings.timeoutMs,
    now: deps.clock,
    ...(remembered && remembered.until > now ? { capabilities: remembered.capabilities } : {}),
    onDiscovered: (capabilities) => discovered.set(key, { capabilities, until: deps.clock().getTime() + CAPABILITIES_TTL_MS }),
    discoverWith: (discover) => {
      let running = discovering.get(key);
      if (!running) {
        running = discover().finally(() => discovering.delete(key));
        discovering.set(key, running);
      }
      return running;
    },
  });
}

export type Applied = { ok: true; access: Access } | { ok: false; failure: ScimFailure; access: Access };

/**
 * Takes the connected system one step to what is wanted for this user and says where it stands.
 * A remote account deleted by hand (404) is provisioned again when the user should have one.
 */
export async function applyWanted(
  connect: () => Promise<ScimClient>,
  connector: Connector,
  userId: string,
  wanted: Wanted,
  access: Access | undefined,
  now: Date,
): Promise<Applied> {
  const at = now.toISOString();
  const base: Access = access ?? {
    connectorId: connector.id,
    userId,
    state: 'pending',
    remoteId: null,
    reason: null,
    updatedAt: at,
    appliedDigest: null,
    appliedActive: null,
  };
  const done = (state: AccessState, fields: Partial<Access> = {}): Applied => ({
    ok: true,
    access: { ...base, state, reason: null, updatedAt: at, ...fields },
  });
  const failed = (failure: ScimFailure): Applied => ({ ok: false, failure, access: { ...base, state: 'failed', reason: failure.reason, updatedAt: at } });
  const holder = wanted.kind === 'account' ? wanted.user : undefined;
  const applied = (user: AccountHolder, active: boolean, remoteId: string): Applied =>
    done(active ? 'provisioned' : 'deactivated', { remoteId, appliedDigest: fieldsDigest(user), appliedActive: active });

  const step = nextStep(wanted, base);
  switch (step.step) {
    case 'record':
      return done(step.state, { reason: step.reason });
    case 'deprovision': {
      const result = await (await connect()).deprovision(step.remoteId);
      if (result.outcome !== 'ok') return failed(result);
      return done('deprovisioned', {
        appliedDigest: null,
        appliedActive: null,
        reason: result.value.result === 'deactivated' ? 'the provider keeps accounts: deactivated' : null,
      });
    }
    case 'provision': {
      const result = await (await connect()).provision(holder!);
      if (result.outcome !== 'ok') return failed(result);
      return applied(holder!, (wanted as { active: boolean }).active, result.value.account.remoteId);
    }
    case 'update':
    case 'setActive': {
      const active = (wanted as { active: boolean }).active;
      const remoteId = base.remoteId!;
      const client = await connect();
      const result = step.step === 'update' ? await client.update(remoteId, holder!) : await client[active ? 'reactivate' : 'deactivate'](remoteId);
      if (result.outcome === 'gone') {
        // Deleted by hand over there: an active user gets an account again; a dismissed one has none.
        if (!active) return done('deprovisioned', { remoteId: null, appliedDigest: null, appliedActive: null, reason: 'deleted in the connected system' });
        const again = await client.provision(holder!);
        if (again.outcome !== 'ok') return failed(again);
        return applied(holder!, active, again.value.account.remoteId);
      }
      if (result.outcome !== 'ok') return failed(result);
      return applied(holder!, active, remoteId);
    }
  }
}

function sameAccess(before: Access | undefined, after: Access): boolean {
  return (
    before !== undefined &&
    before.state === after.state &&
    before.reason === after.reason &&
    before.remoteId === after.remoteId &&
    before.appliedDigest === after.appliedDigest &&
    before.appliedActive === after.appliedActive
  );
}

export type ProvisionOutcome = 'idle' | 'busy' | 'waiting' | 'retrying' | 'parked' | 'lost' | 'gone';

/**
 * Applies one user's latest state to one connector, while it holds the pair. With `sequence` (the
 * event the fan-out queued this turn for), the first step reads the connector, the access item and
 * that event in one request; a later event has a turn of its own, and one committed during this
 * run asks for the pair (`wanted`), which the next step finds by querying the events.
 */
export async function provisionPair(deps: Deps, connectorId: string, userId: string, sequence?: number): Promise<ProvisionOutcome> {
  const settings = settingsOf(deps);
  const target: Target = { kind: 'connector', id: connectorId };
  const owner = newId();
  const leaseFor = (): Lease => ({ owner, until: new Date(deps.clock().getTime() + settings.leaseMs).toISOString() });
  const taken = await takeLease(deps.table, target, userId, leaseFor(), deps.clock());
  if (taken === 'busy' || taken === 'waiting') return taken;
  let progress = taken;
  // Opened (the token unsealed) only when a step needs the system: most changes touch no account field.
  let client: Promise<ScimClient> | undefined;
  let known = sequence !== undefined && sequence > progress.lastDelivered ? sequence : undefined;
  for (;;) {
    const byKey = known === undefined ? undefined : await readForProvisioning(deps.table, connectorId, userId, known);
    // A later event committed already (its own turn may have been merged into this one): the newest is found by querying.
    const read = byKey && !byKey.newer ? byKey : await readByQuery(deps, connectorId, userId, progress.lastDelivered);
    known = undefined;
    const { connector, access, event: latest } = read;
    if (!connector) {
      await dropPair(deps.table, target, userId, owner);
      return 'gone';
    }
    if (!latest) {
      const released = await releaseLease(deps.table, target, userId, owner);
      if (released === 'again') continue;
      return released === 'lost' ? 'lost' : 'idle';
    }
    const connect = () => {
      client ??= clientFor(deps, connector);
      return client;
    };
    const result = await applyWanted(connect, connector, userId, wantedFor(latest.data.user), access, deps.clock());
    const now = deps.clock();
    const sequence = latest.data.sequence;
    if (result.ok) {
      // The access item first: were the lease lost now, the next holder starts from it. Unchanged, it is not rewritten.
      if (!sameAccess(access, result.access)) await putAccess(deps.table, result.access);
      // Every event committed before the query was read: recorded and let go in one write, unless one came since.
      const recorded = await recordDeliveredAndRelease(deps.table, target, userId, owner, { sequence, lease: leaseFor() });
      if (recorded === 'lost') return 'lost';
      if (connector.failingSince) await setConnectorFailing(deps.table, connectorId, null);
      if (recorded === 'released') return 'idle';
      progress = { ...progress, lastDelivered: sequence, attempts: 0, firstFailedAt: null, status: 'ok' };
      continue;
    }
    const attempts = progress.attempts + 1;
    const firstFailedAt = progress.firstFailedAt ?? now.toISOString();
    const park = now.getTime() - Date.parse(firstFailedAt) >= settings.parkAfterMs;
    logger.warn('provisioning failed', {
      connectorId,
      userId,
      sequence,
      attempts,
      outcome: result.failure.outcome,
      status: result.failure.status,
      // The same words the access state shows an admin (the token is redacted from them).
      reason: result.failure.reason,
      parked: park,
    });
    await putAccess(deps.table, result.access);
    if (park) {
      if (!(await recordProgress(deps.table, target, userId, owner, { kind: 'parked', attempts, firstFailedAt }))) return 'lost';
    } else {
      const wait = Math.max(backoffMs(attempts), result.failure.outcome === 'retryLater' ? result.failure.retryAfterMs : 0);
      const nextAttemptAt = new Date(now.getTime() + wait).toISOString();
      if (!(await recordProgress(deps.table, target, userId, owner, { kind: 'retry', attempts, nextAttemptAt, firstFailedAt }))) return 'lost';
    }
    await setConnectorFailing(deps.table, connectorId, now.toISOString());
    return park ? 'parked' : 'retrying';
  }
}

/** The connector, the user's newest event after `after` (found by querying) and the access item. */
async function readByQuery(deps: Deps, connectorId: string, userId: string, after: number) {
  const connector = await getConnector(deps.table, connectorId);
  if (!connector) return { connector, access: undefined, event: undefined };
  // Only the newest event matters: it reads the user after every earlier change.
  const event = (await newestEventsAfter(deps, userId, after)).at(-1);
  return { connector, event, access: event ? await getAccess(deps.table, userId, connectorId) : undefined };
}

/** The user's events after `after`, all of them (a page at a time): the last one is what counts. */
async function newestEventsAfter(deps: Deps, userId: string, after: number) {
  let page = await eventsAfter(deps.table, userId, after, 100);
  let events = page.events;
  while (!page.complete && events.length > 0) {
    page = await eventsAfter(deps.table, userId, events.at(-1)!.data.sequence, 100);
    if (page.events.length > 0) events = page.events;
  }
  return events;
}

/** Queues a connector's turn for a user (the fan-out, a sync that found the pair busy). */
export function queueProvision(deps: Deps, connectorId: string, userId: string) {
  return queueFollowUp(deps.table, { type: 'provision', connectorId, userId }, deps.clock());
}

/** Runs a connector message: the connectors worker in AWS, the in-process queue locally. */
export async function runConnectorMessage(deps: Deps, message: ConnectorMessage): Promise<void> {
  if (message.type === 'provision') await provisionPair(deps, message.connectorId, message.userId, message.sequence);
  else await runSyncStep(deps, message.jobId);
}
