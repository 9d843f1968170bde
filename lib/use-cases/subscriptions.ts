import { InvalidState, NotFound } from '../domain/errors';
import {
  checkSubscriptionUrl,
  newSigningSecret,
  subscriptionSecretPurpose,
  createSubscription as decideCreate,
  createSubscriptionSchema,
  deleteSubscription as decideDelete,
  retryDelivery as decideRetry,
  rotateSecret as decideRotation,
  toSubscriptionView,
  type SubscriptionView,
} from '../domain/subscriptions';
import { validate } from '../domain/validate';
import type { z } from '../zod';
import { commit } from '../data/commit';
import { queueFollowUp } from '../data/outbox';
import type { Page } from '../data/pagination';
import {
  getDelivery,
  getSubscription,
  listDeliveryRecords,
  listSubscriptions as querySubscriptions,
  putDelivery,
  subscriptionDelete,
  subscriptionPut,
  type DeliveryRecord,
} from '../data/subscriptions';
import { unparkPair } from '../data/delivery-pairs';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin } from './steps';

/**
 * The admin routes of event subscriptions (rule 13, docs/events.md). Each change commits with its
 * audit entry (rule 11) in one transaction; a secret is in the answer that creates or rotates it
 * and nowhere else (not in views, audit entries, events or logs).
 */

const targetsOf = (deps: Deps) => deps.events?.targets ?? 'public';

export type CreatedSubscription = SubscriptionView & { secret: string };

export async function createSubscription(deps: Deps, actorId: string, request: z.input<typeof createSubscriptionSchema>): Promise<CreatedSubscription> {
  const command = validate(createSubscriptionSchema, request);
  await readAsAdmin(deps, actorId);
  checkSubscriptionUrl(command, targetsOf(deps));
  const context = contextOf(deps, actorId, 'admin');
  const id = context.newId();
  const secret = newSigningSecret();
  const sealed = await deps.secretBox.seal(secret, subscriptionSecretPurpose(id));
  const { subscription, change } = decideCreate(command, targetsOf(deps), context, { id, sealed });
  await commit(deps.table, change, [subscriptionPut(subscription)]);
  return { ...toSubscriptionView(subscription, deps.clock()), secret };
}

export async function listSubscriptions(deps: Deps, actorId: string, limit: number, cursor?: string): Promise<Page<SubscriptionView>> {
  await readAsAdmin(deps, actorId);
  const page = await querySubscriptions(deps.table, limit, cursor);
  const now = deps.clock();
  return { items: page.items.map((s) => toSubscriptionView(s, now)), nextCursor: page.nextCursor };
}

async function existingSubscription(deps: Deps, id: string) {
  const subscription = await getSubscription(deps.table, id);
  if (!subscription) throw new NotFound('event subscription', id);
  return subscription;
}

export async function getSubscriptionView(deps: Deps, actorId: string, id: string): Promise<SubscriptionView> {
  await readAsAdmin(deps, actorId);
  return toSubscriptionView(await existingSubscription(deps, id), deps.clock());
}

/** Removes a subscription: no further attempt starts (each run reads it first); its log expires. */
export async function deleteSubscription(deps: Deps, actorId: string, id: string): Promise<void> {
  await readAsAdmin(deps, actorId);
  const subscription = await existingSubscription(deps, id);
  await commit(deps.table, decideDelete(subscription, contextOf(deps, actorId, 'admin')), [subscriptionDelete(subscription)]);
}

/** A new secret; the previous one keeps signing, beside it, for 24 hours. */
export async function rotateSubscriptionSecret(deps: Deps, actorId: string, id: string): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  await readAsAdmin(deps, actorId);
  const subscription = await existingSubscription(deps, id);
  const secret = newSigningSecret();
  const sealed = await deps.secretBox.seal(secret, subscriptionSecretPurpose(id));
  const { subscription: rotated, change } = decideRotation(subscription, sealed, contextOf(deps, actorId, 'admin'));
  // Conditioned on the subscription as read: two rotations at once cannot both keep the same "previous" secret.
  await commit(deps.table, change, [subscriptionPut(rotated, subscription.updatedAt)]);
  return { secret, previousSecretExpiresAt: rotated.secrets[1]?.expiresAt ?? rotated.updatedAt };
}

export type DeliveryView = Pick<
  DeliveryRecord,
  'eventId' | 'userId' | 'sequence' | 'type' | 'status' | 'attempts' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt' | 'updatedAt'
>;

export async function listSubscriptionDeliveries(deps: Deps, actorId: string, id: string, limit: number, cursor?: string): Promise<Page<DeliveryView>> {
  await readAsAdmin(deps, actorId);
  await existingSubscription(deps, id);
  return listDeliveryRecords(deps.table, id, limit, cursor);
}

/** Delivers a parked event again: the pair is due now, with a fresh 24 hours of retries; later events follow it. */
export async function retrySubscriptionDelivery(deps: Deps, actorId: string, id: string, eventId: string): Promise<DeliveryView> {
  await readAsAdmin(deps, actorId);
  const subscription = await existingSubscription(deps, id);
  const delivery = await getDelivery(deps.table, id, eventId);
  if (!delivery) throw new NotFound('delivery', `${id}/${eventId}`);
  if (delivery.status !== 'parked') throw new InvalidState(`Event ${eventId} is ${delivery.status} for this subscription; only a parked event can be retried`);
  const now = deps.clock();
  // Logged pending first: once un-parked, a worker may deliver it (and log that) at any moment.
  const pending: DeliveryRecord = { ...delivery, status: 'pending', nextAttemptAt: now.toISOString(), updatedAt: now.toISOString() };
  await putDelivery(deps.table, id, pending);
  if (!(await unparkPair(deps.table, { kind: 'subscription', id }, delivery.userId, delivery.sequence, now))) {
    await putDelivery(deps.table, id, delivery);
    throw new InvalidState(`Event ${eventId} is no longer parked for this subscription`);
  }
  await commit(deps.table, decideRetry(subscription, eventId, contextOf(deps, actorId, 'admin')));
  await queueFollowUp(deps.table, { type: 'deliver', subscriptionId: id, userId: delivery.userId }, now);
  return pending;
}
