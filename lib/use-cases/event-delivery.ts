import { Webhook } from 'standardwebhooks';
import type { LifecycleEvent } from '../domain/events';
import type { ConnectorMessage, EventMessage } from '../domain/follow-up';
import {
  afterFailure,
  afterSuccess,
  attemptable,
  liveSecrets,
  mergeRequests,
  subscriptionSecretPurpose,
  wants,
  type PairRequest,
  type PairState,
  type Subscription,
} from '../domain/subscriptions';
import { newId } from '../data/ids';
import type { Item } from '../data/items';
import { queueFollowUp, queueFollowUps } from '../data/outbox';
import { allSubscriptions, deliveryItem, eventsAfter, getSubscription, setSubscriptionFailing, type DeliveryRecord } from '../data/subscriptions';
import { duePairs, type Lease, type Progress, type Target } from '../data/delivery-pairs';
import {
  dropRun,
  eventsBySequence,
  forgetPairs,
  recordRound,
  requestOf,
  releaseLeftoverRun,
  getProgressesAndEvents,
  progressItem,
  releaseRun,
  renewRun,
  takeRun,
  writeRunItems,
  yieldRun,
} from '../data/subscription-runs';
import { allConnectors } from '../data/connectors';
import { send } from '../events/sender';

import { logger } from '../logger';
import { defaultEventDelivery, type Deps, type EventDeliverySettings } from '../runtime';

/**
 * Delivery of lifecycle events to webhook subscribers (rule 13, docs/events.md). The commit step
 * queues `{type: 'events', userId, eventType, sequence}` with each event; {@link fanOut} queues one
 * `deliver` per subscription that wants that type; {@link deliverRun} takes the subscription's run
 * lease (a conditional write) and delivers many users' events at once: each user's in sequence
 * order (event n+1 never goes before n was accepted), users side by side, the pairs' progress and
 * the delivery log written in batches. A slow or failing subscriber holds up only its own run.
 * Failures wait with backoff (the due index and {@link runDueDeliveries}); after 24 h of failures
 * the head event is parked until an admin retries it.
 */

/** Pairs one round of a run reads and delivers together. */
const PAIRS_PER_ROUND = 100;
/** Events of one pair a round reads (the rest in the next round). */
const EVENTS_PER_PAIR = 25;
/** Pairs whose requests one round has in flight at once. */
const IN_FLIGHT = 16;

export function eventSettings(deps: Pick<Deps, 'events'>): EventDeliverySettings {
  return { ...defaultEventDelivery, ...deps.events };
}

/** Runs one event-delivery message; throws when it failed (then it is run again). */
export async function runEventMessage(deps: Deps, message: EventMessage, options: { shouldYield?: () => boolean } = {}): Promise<void> {
  const failed = await runEventMessages(deps, [message], options);
  if (failed.errors.length > 0) throw failed.errors[0];
}

/**
 * Runs several event-delivery messages together (an SQS batch, or what waited in a local lane):
 * the fan-outs as one, the `deliver`s as one run per subscription, the subscriptions side by side
 * so that a slow one holds up none of the others. Returns the messages of the parts that failed
 * (to be run again) and their errors.
 */
export async function runEventMessages(
  deps: Deps,
  messages: EventMessage[],
  options: { shouldYield?: () => boolean } = {},
): Promise<{ messages: EventMessage[]; errors: unknown[] }> {
  const groups = new Map<string, EventMessage[]>();
  for (const message of messages) {
    const key = message.type === 'events' ? 'events' : `deliver:${message.subscriptionId}`;
    groups.set(key, [...(groups.get(key) ?? []), message]);
  }
  const parts = [...groups.values()];
  const results = await Promise.allSettled(
    parts.map((part) => {
      const first = part[0]!;
      if (first.type === 'events') return fanOut(deps, part as Extract<EventMessage, { type: 'events' }>[]);
      const requests = (part as Extract<EventMessage, { type: 'deliver' }>[]).map((message) => ({ userId: message.userId, through: message.sequence }));
      return deliverRun(deps, first.subscriptionId, requests, options);
    }),
  );
  const failed = { messages: [] as EventMessage[], errors: [] as unknown[] };
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    failed.messages.push(...parts[i]!);
    failed.errors.push(result.reason);
  });
  return failed;
}

/** A committed event, as its `events` message names it. */
export type CommittedEvent = { userId: string; eventType: string; sequence?: number | undefined };

/**
 * For each event, one `deliver` per subscription wanting its type and one `provision` per
 * connector (each then runs on its own): the subscriptions and connectors read once for all of
 * them (every event here was committed before this read, so a subscription it is for is seen),
 * the messages written 25 per BatchWriteItem. Returns how many it queued.
 */
export async function fanOut(deps: Deps, events: CommittedEvent[]): Promise<number> {
  const [subscriptions, connectors] = await Promise.all([allSubscriptions(deps.table), allConnectors(deps.table)]);
  const messages = events.flatMap(({ userId, eventType, sequence }) => [
    ...subscriptions
      .filter((subscription) => wants(subscription, eventType))
      .map((subscription): EventMessage => ({ type: 'deliver', subscriptionId: subscription.id, userId, sequence })),
    ...connectors.map((connector): ConnectorMessage => ({ type: 'provision', connectorId: connector.id, userId, sequence })),
  ]);
  // A connector applies the user's latest state: one turn per user and connector, as of the latest event.
  const byKey = new Map<string, EventMessage | ConnectorMessage>();
  for (const message of messages) {
    const key = message.type === 'provision' ? `${message.connectorId} ${message.userId}` : JSON.stringify(message);
    const seen = byKey.get(key);
    const later = seen?.type === 'provision' && message.type === 'provision' && (seen.sequence ?? 0) < (message.sequence ?? 0);
    if (!seen || later) byKey.set(key, message);
  }
  const unique = [...byKey.values()];
  await queueFollowUps(deps.table, unique, deps.clock());
  return unique.length;
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

export type RunOutcome = 'done' | 'busy' | 'yielded' | 'lost' | 'gone';

/**
 * Delivers the requested pairs of one subscription, holding its run lease, round after round
 * until nothing is left, taking on what others asked for meanwhile before it lets go. Everything
 * it holds stays in the run's `wanted` until recorded (lib/data/subscription-runs.ts), so a run
 * that dies, throws or loses its lease loses nothing. `busy`: a live run holds the subscription
 * and was handed the requests.
 */
export async function deliverRun(
  deps: Deps,
  subscriptionId: string,
  requests: PairRequest[],
  options: { shouldYield?: () => boolean } = {},
): Promise<RunOutcome> {
  const settings = eventSettings(deps);
  const owner = newId();
  const lease = (): Lease => ({ owner, until: new Date(deps.clock().getTime() + settings.leaseMs).toISOString() });
  const first = lease();
  let leaseUntil = Date.parse(first.until);
  const taken = await takeRun(deps.table, subscriptionId, first, requests, deps.clock());
  if (taken === 'busy') return 'busy';
  let held = taken.wanted;
  let sent = 0;
  // Hands the rest on to a fresh run: left in `wanted`, due now should the follow-up never come.
  const handOn = async (done: string[], left: string[]): Promise<RunOutcome> => {
    if (!(await yieldRun(deps.table, subscriptionId, owner, done, deps.clock()))) return 'lost';
    const next = requestOf(left[0]!);
    await queueFollowUp(deps.table, { type: 'deliver', subscriptionId, userId: next.userId, sequence: next.through }, deps.clock());
    return 'yielded';
  };
  const mustYield = () => sent >= settings.maxEventsPerRun || options.shouldYield?.() === true;
  try {
    for (;;) {
      if (held.length === 0) {
        const released = await releaseRun(deps.table, subscriptionId, lease(), []);
        if (released === 'released' || released === 'lost') return released === 'lost' ? 'lost' : 'done';
        held = released.wanted;
        continue;
      }
      const subscription = await getSubscription(deps.table, subscriptionId);
      if (!subscription) {
        await forgetPairs(
          deps.table,
          subscriptionId,
          held.map((entry) => requestOf(entry).userId),
        );
        await dropRun(deps.table, subscriptionId);
        return 'gone';
      }
      const roundRequests = mergeRequests(held.map(requestOf)).slice(0, PAIRS_PER_ROUND);
      const round = await deliverRound(deps, subscription, roundRequests, settings);
      // Recorded only while the run is still ours: a round that took more than half the lease
      // renews it first (a run that lost it writes nothing; what it sent meanwhile is sent again by
      // the run that took over: at least once). A quick round writes within the lease it has.
      if (deps.clock().getTime() > leaseUntil - settings.leaseMs / 2) {
        const renewed = lease();
        if (!(await renewRun(deps.table, subscriptionId, renewed))) return 'lost';
        leaseUntil = Date.parse(renewed.until);
      }
      await writeRunItems(deps.table, round.items);
      if (round.delivered > 0 && subscription.failingSince) await setSubscriptionFailing(deps.table, subscriptionId, null);
      else if (round.delivered === 0 && round.failedAt && !subscription.failingSince) await setSubscriptionFailing(deps.table, subscriptionId, round.failedAt);
      sent += round.delivered;
      // What this round recorded: every entry of its users, but those with events left over.
      const inRound = new Set(roundRequests.map((request) => request.userId));
      const unfinished = new Set(round.more.map((request) => request.userId));
      const done = held.filter((entry) => inRound.has(requestOf(entry).userId) && !unfinished.has(requestOf(entry).userId));
      const recorded = new Set(done);
      const left = held.filter((entry) => !recorded.has(entry));
      if (left.length === 0) {
        const extended = lease();
        const released = await releaseRun(deps.table, subscriptionId, extended, held);
        if (released === 'released' || released === 'lost') return released === 'lost' ? 'lost' : 'done';
        // Asked for more meanwhile (the recorded entries are out of `wanted` already).
        held = released.wanted;
        leaseUntil = Date.parse(extended.until);
        if (held.length > 0 && mustYield()) return handOn([], held);
        continue;
      }
      if (mustYield()) return handOn(done, left);
      const extended = lease();
      if (!(await recordRound(deps.table, subscriptionId, extended, done))) return 'lost';
      leaseUntil = Date.parse(extended.until);
      held = left;
    }
  } catch (error) {
    // What it holds is still in `wanted`. The lease let go, so the message's own retry can run
    // it at once; for the schedule it is due a lease from now, not every minute while it fails.
    await yieldRun(deps.table, subscriptionId, owner, [], new Date(deps.clock().getTime() + settings.leaseMs)).catch(() => undefined);
    throw error;
  }
}

type Round = {
  /** Progress and delivery-log items to write. */
  items: Item[];
  /** Pairs with events left beyond what this round read. */
  more: PairRequest[];
  delivered: number;
  /** When an attempt of this round failed, if one did. */
  failedAt: string | null;
};

/** One round: the pairs' progress and events read together, each pair's events sent in order, pairs side by side. */
async function deliverRound(deps: Deps, subscription: Subscription, requests: PairRequest[], settings: EventDeliverySettings): Promise<Round> {
  const now = deps.clock();
  // No attempt starts after half the lease (real time): a round of a subscriber that hangs ends,
  // is recorded within the lease, and leaves the pairs it did not get to for the next round.
  const deadline = performance.now() + settings.leaseMs / 2;
  const target: Target = { kind: 'subscription', id: subscription.id };
  // One read for the common case, a pair with one new event: its progress and that event together.
  const { progresses, events: requested } = await getProgressesAndEvents(
    deps.table,
    subscription.id,
    requests.map((request) => request.userId),
    requests.filter((request) => request.through !== undefined).map((request) => ({ userId: request.userId, sequence: request.through! })),
  );
  const stateOf = (userId: string): Progress =>
    progresses.get(userId) ?? { target, userId, lastDelivered: 0, status: 'ok', attempts: 0, nextAttemptAt: null, firstFailedAt: null };
  // Pairs parked or waiting for a retry's time are left (the retry route, or the schedule, brings them back).
  const runnable = requests.filter(
    (request) => attemptable(stateOf(request.userId), now) && (request.through ?? Infinity) > stateOf(request.userId).lastDelivered,
  );
  const known = runnable.filter((request) => request.through !== undefined);
  const range = (request: PairRequest) => {
    const from = stateOf(request.userId).lastDelivered + 1;
    return { userId: request.userId, from, through: Math.min(request.through!, from + EVENTS_PER_PAIR - 1) };
  };
  // For pairs further behind, the events before the requested one (already read), in a second read.
  const byKey = await eventsBySequence(
    deps.table,
    known
      .map((request) => {
        const { userId, from, through } = range(request);
        return { userId, from, through: through === request.through ? through - 1 : through };
      })
      .filter(({ from, through }) => from <= through),
  );
  const more: PairRequest[] = [];
  const work: { request: PairRequest; progress: Progress; events: LifecycleEvent[] }[] = [];
  for (const request of known) {
    const progress = stateOf(request.userId);
    const { through } = range(request);
    const candidates = [...(byKey.get(request.userId) ?? []), ...(through === request.through ? [requested.get(request.userId)] : [])];
    // Only the run of sequences right after the progress (a missing one ends it).
    const events: LifecycleEvent[] = [];
    for (const event of candidates) {
      if (!event || event.data.sequence !== progress.lastDelivered + events.length + 1) break;
      if (event.data.sequence > through) break;
      events.push(event);
    }
    if (through < request.through!) more.push(request);
    work.push({ request, progress, events });
  }
  // Asked for without a sequence (a retry, a yielded run): read to the end, a page at a time.
  await inPool(
    runnable.filter((request) => request.through === undefined),
    IN_FLIGHT,
    async (request) => {
      const progress = stateOf(request.userId);
      const { events, complete } = await eventsAfter(deps.table, request.userId, progress.lastDelivered, EVENTS_PER_PAIR);
      if (!complete) more.push({ userId: request.userId });
      work.push({ request, progress, events });
    },
  );

  let secrets: Promise<string[]> | undefined;
  const items: Item[] = [];
  let delivered = 0;
  let failedAt: string | null = null;
  await inPool(work, IN_FLIGHT, async ({ request: asked, progress, events }) => {
    let state: PairState = progress;
    let changed = false;
    for (const event of events) {
      const sequence = event.data.sequence;
      // A subscription receives what was committed after it was created, of the types it wants.
      if (!wants(subscription, event.type) || event.timestamp < subscription.createdAt) {
        state = afterSuccess(sequence);
        changed = true;
        continue;
      }
      if (performance.now() > deadline) {
        more.push(asked);
        break;
      }
      // Opened once per round, not per event (a rotation is seen by the next round).
      secrets ??= openLiveSecrets(deps, subscription, now);
      const request = signedRequest(await secrets, event);
      const attempt = await send(subscription.url, request.headers, request.body, settings);
      const at = deps.clock();
      const record: Omit<DeliveryRecord, 'status' | 'lastError' | 'nextAttemptAt'> = {
        eventId: event.id,
        userId: event.data.userId,
        sequence,
        type: event.type,
        attempts: state.attempts + 1,
        lastStatusCode: attempt.statusCode,
        updatedAt: at.toISOString(),
      };
      changed = true;
      if (attempt.ok) {
        delivered++;
        state = afterSuccess(sequence);
        items.push(deliveryItem(subscription.id, { ...record, status: 'delivered', lastError: null, nextAttemptAt: null }));
        continue;
      }
      state = afterFailure(state, at, settings.parkAfterMs);
      failedAt ??= at.toISOString();
      logger.warn('event delivery failed', {
        subscriptionId: subscription.id,
        eventId: event.id,
        attempts: state.attempts,
        statusCode: attempt.statusCode,
        error: attempt.error,
        parked: state.status === 'parked',
      });
      items.push(
        deliveryItem(subscription.id, {
          ...record,
          status: state.status === 'parked' ? 'parked' : 'retrying',
          lastError: attempt.error,
          nextAttemptAt: state.nextAttemptAt,
        }),
      );
      break;
    }
    if (changed) items.push(progressItem({ ...progress, ...state }));
  });
  return { items, more, delivered, failedAt };
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * What the schedule runs (every minute in AWS; a timer locally): queues a `deliver` for every pair
 * whose retry is due, and for every subscription run that died or yielded with pairs asked of it,
 * and a `provision` for every connector pair whose retry is due or whose lease ran out with work left.
 */
export async function runDueDeliveries(deps: Deps): Promise<{ queued: number }> {
  const pairs = await duePairs(deps.table, deps.clock());
  await queueFollowUps(
    deps.table,
    pairs.map((pair) => pairMessage(pair.target, pair.userId)),
    deps.clock(),
  );
  return { queued: pairs.length };
}

/**
 * Lets go of every subscription run lease still held: what the local server does at start, the
 * only worker on its table, so a run lease it finds is a dead run's (see releaseLeftoverLeases).
 * Returns how many it released.
 */
export async function releaseLeftoverRuns(deps: Deps): Promise<number> {
  const subscriptions = await allSubscriptions(deps.table);
  const released = await Promise.all(subscriptions.map((subscription) => releaseLeftoverRun(deps.table, subscription.id, deps.clock())));
  return released.filter(Boolean).length;
}
