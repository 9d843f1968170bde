import { Webhook } from 'standardwebhooks';
import type { LifecycleEvent } from '../domain/events';
import type { ConnectorMessage, EventMessage } from '../domain/follow-up';
import { backoffMs, liveSecrets, subscriptionSecretPurpose, wants, type Subscription } from '../domain/subscriptions';
import { newId } from '../data/ids';
import { queueFollowUp } from '../data/outbox';
import { allSubscriptions, eventsAfter, getSubscription, putDelivery, setSubscriptionFailing } from '../data/subscriptions';
import {
  dropPair,
  duePairs,
  recordDeliveredAndRelease,
  recordProgress,
  releaseLease,
  takeLease,
  yieldLease,
  type Lease,
  type Target,
} from '../data/delivery-pairs';
import { allConnectors } from '../data/connectors';
import { send, type Attempt } from '../events/sender';

import { logger } from '../logger';
import { defaultEventDelivery, type Deps, type EventDeliverySettings } from '../runtime';

/**
 * Delivery of lifecycle events to webhook subscribers (rule 13, docs/events.md). The commit step
 * queues `{type: 'events', userId, eventType}` with each event; {@link fanOut} queues one `deliver`
 * per subscription that wants that type; {@link deliverPair} sends that user's undelivered events
 * to that subscription in sequence order, holding the pair's lease (a conditional write), so
 * event n+1 never goes before n was accepted, and a slow or failing subscriber holds up only its
 * own pairs. Failures wait with backoff (the due index and {@link runDueDeliveries}); after 24 h
 * of failures the head event is parked until an admin retries it.
 */

/** Events read per query of a pair's run. */
const EVENT_BATCH = 25;

export function eventSettings(deps: Pick<Deps, 'events'>): EventDeliverySettings {
  return { ...defaultEventDelivery, ...deps.events };
}

/** Runs an event-delivery message: the events worker in AWS, the in-process queue locally. */
export async function runEventMessage(deps: Deps, message: EventMessage, options: { shouldYield?: () => boolean } = {}): Promise<void> {
  switch (message.type) {
    case 'events':
      await fanOut(deps, message.userId, message.eventType);
      return;
    case 'deliver':
      await deliverPair(deps, message.subscriptionId, message.userId, options);
      return;
  }
}

/** One `deliver` per subscription wanting this type of event, one `provision` per connector (each pair then runs on its own). */
export async function fanOut(deps: Deps, userId: string, eventType: string): Promise<number> {
  const [subscriptions, connectors] = await Promise.all([allSubscriptions(deps.table), allConnectors(deps.table)]);
  const wanting = subscriptions.filter((subscription) => wants(subscription, eventType));
  await Promise.all([
    ...wanting.map((subscription) => queueFollowUp(deps.table, { type: 'deliver', subscriptionId: subscription.id, userId }, deps.clock())),
    ...connectors.map((connector) => queueFollowUp(deps.table, { type: 'provision', connectorId: connector.id, userId }, deps.clock())),
  ]);
  return wanting.length + connectors.length;
}

/** The message that gives a pair its turn. */
export function pairMessage(target: Target, userId: string): EventMessage | ConnectorMessage {
  return target.kind === 'subscription' ? { type: 'deliver', subscriptionId: target.id, userId } : { type: 'provision', connectorId: target.id, userId };
}

/** The secrets that sign now, opened (only the delivery functions can). */
export function openLiveSecrets(deps: Pick<Deps, 'secretBox'>, subscription: Subscription, now: Date): Promise<string[]> {
  return Promise.all(liveSecrets(subscription, now).map((sealed) => deps.secretBox.open(sealed, subscriptionSecretPurpose(subscription.id))));
}

/** The Standard Webhooks headers of an event: one signature per live secret (two during a rotation). */
export function signedRequest(secrets: string[], event: LifecycleEvent) {
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  // The signature's timestamp is the moment of sending (the receiver's replay window is about it).
  const sentAt = new Date();
  const signatures = secrets.map((secret) => new Webhook(secret).sign(event.id, sentAt, body));
  return {
    body,
    headers: { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signatures.join(' ') },
  };
}

export type PairOutcome = 'idle' | 'busy' | 'waiting' | 'retrying' | 'parked' | 'yielded' | 'lost' | 'gone';

/** Delivers one user's undelivered events to one subscription, oldest first, while it holds the pair. */
export async function deliverPair(deps: Deps, subscriptionId: string, userId: string, options: { shouldYield?: () => boolean } = {}): Promise<PairOutcome> {
  const settings = eventSettings(deps);
  const target: Target = { kind: 'subscription', id: subscriptionId };
  const owner = newId();
  const leaseFor = (): Lease => ({ owner, until: new Date(deps.clock().getTime() + settings.leaseMs).toISOString() });
  const taken = await takeLease(deps.table, target, userId, leaseFor(), deps.clock());
  if (taken === 'busy' || taken === 'waiting') return taken;
  let progress = taken;
  let sent = 0;
  for (;;) {
    const subscription = await getSubscription(deps.table, subscriptionId);
    if (!subscription) {
      await dropPair(deps.table, target, userId, owner);
      return 'gone';
    }
    const { events, complete } = await eventsAfter(deps.table, userId, progress.lastDelivered, EVENT_BATCH);
    // Opened once per batch, not per event (a rotation is seen by the next batch).
    let secrets: Promise<string[]> | undefined;
    if (events.length === 0) {
      const released = await releaseLease(deps.table, target, userId, owner);
      if (released === 'again') continue;
      return released === 'lost' ? 'lost' : 'idle';
    }
    let skipped: number | undefined;
    for (const event of events) {
      const sequence = event.data.sequence;
      // A subscription receives what was committed after it was created, of the types it wants.
      // Skips are recorded with the next delivery, or once at the end of the batch, not one write each.
      if (!wants(subscription, event.type) || event.timestamp < subscription.createdAt) {
        progress = { ...progress, lastDelivered: sequence };
        skipped = sequence;
        continue;
      }
      secrets ??= openLiveSecrets(deps, subscription, deps.clock());
      const request = signedRequest(await secrets, event);
      const attempt: Attempt = await send(subscription.url, request.headers, request.body, settings);
      const now = deps.clock();
      const attempts = progress.attempts + 1;
      const record = { eventId: event.id, userId, sequence, type: event.type, attempts, lastStatusCode: attempt.statusCode, updatedAt: now.toISOString() };
      if (attempt.ok) {
        sent++;
        const yieldNow = sent >= settings.maxEventsPerRun || options.shouldYield?.() === true;
        // The last event of a read that reached the end ends the run: recorded and let go in one write.
        const endsRun = !yieldNow && event === events.at(-1) && complete;
        const recorded = endsRun
          ? await recordDeliveredAndRelease(deps.table, target, userId, owner, { sequence, lease: leaseFor() })
          : (await recordProgress(deps.table, target, userId, owner, { kind: 'delivered', sequence, lease: leaseFor() }))
            ? 'kept'
            : 'lost';
        if (recorded === 'lost') return 'lost';
        skipped = undefined;
        await putDelivery(deps.table, subscriptionId, { ...record, status: 'delivered', lastError: null, nextAttemptAt: null });
        if (subscription.failingSince) {
          await setSubscriptionFailing(deps.table, subscriptionId, null);
          subscription.failingSince = null;
        }
        progress = { ...progress, lastDelivered: sequence, attempts: 0, firstFailedAt: null, status: 'ok' };
        if (recorded === 'released') return 'idle';
        if (yieldNow) {
          // Hand the rest on to a fresh run: the pair is free for it, whoever asked meanwhile included.
          if (!(await yieldLease(deps.table, target, userId, owner, now))) return 'lost';
          await queueFollowUp(deps.table, { type: 'deliver', subscriptionId, userId }, now);
          return 'yielded';
        }
        continue;
      }
      const firstFailedAt = progress.firstFailedAt ?? now.toISOString();
      const park = now.getTime() - Date.parse(firstFailedAt) >= settings.parkAfterMs;
      logger.warn('event delivery failed', { subscriptionId, eventId: event.id, attempts, statusCode: attempt.statusCode, error: attempt.error, parked: park });
      if (park) {
        if (!(await recordProgress(deps.table, target, userId, owner, { kind: 'parked', attempts, firstFailedAt, skippedThrough: skipped }))) return 'lost';
        await putDelivery(deps.table, subscriptionId, { ...record, status: 'parked', lastError: attempt.error, nextAttemptAt: null });
      } else {
        const nextAttemptAt = new Date(now.getTime() + backoffMs(attempts)).toISOString();
        if (!(await recordProgress(deps.table, target, userId, owner, { kind: 'retry', attempts, nextAttemptAt, firstFailedAt, skippedThrough: skipped })))
          return 'lost';
        await putDelivery(deps.table, subscriptionId, { ...record, status: 'retrying', lastError: attempt.error, nextAttemptAt });
      }
      await setSubscriptionFailing(deps.table, subscriptionId, now.toISOString());
      return park ? 'parked' : 'retrying';
    }
    if (skipped !== undefined && !(await recordProgress(deps.table, target, userId, owner, { kind: 'skipped', sequence: skipped, lease: leaseFor() })))
      return 'lost';
  }
}

/**
 * What the schedule runs (every minute in AWS; a timer locally): queues a `deliver` for every pair
 * whose retry is due or whose lease ran out with work left.
 */
export async function runDueDeliveries(deps: Deps): Promise<{ queued: number }> {
  const pairs = await duePairs(deps.table, deps.clock());
  await Promise.all(pairs.map((pair) => queueFollowUp(deps.table, pairMessage(pair.target, pair.userId), deps.clock())));
  return { queued: pairs.length };
}
