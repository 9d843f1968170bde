import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscription } from '../domain/subscriptions';
import { type TableRef, conditionFailed } from './client';
import type { LifecycleEvent } from '../domain/events';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';

/**
 * Event subscriptions and their deliveries (rule 13, docs/events.md):
 * - the subscriptions share one small partition, listed with a Query;
 * - per subscription and user, a progress item (lib/data/delivery-pairs.ts);
 * - per subscription and event, a delivery-log item (status, attempts, last status code).
 */
export const subscriptionKeys = {
  subscription: (id: string) => ({ pk: 'EVENTSUBS', sk: `EVENTSUB#${id}` }),
  subscriptionsPrefix: () => ({ pk: 'EVENTSUBS', skPrefix: 'EVENTSUB#' }),
  delivery: (subscriptionId: string, eventId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, sk: `DELIVERY#${eventId}` }),
  deliveriesPrefix: (subscriptionId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, skPrefix: 'DELIVERY#' }),
};

/** Delivery-log items outlive the events they describe by a while, then go (TTL). */
const DELIVERY_LOG_DAYS = 30;

function itemToSubscription(item: Record<string, unknown>): Subscription {
  return {
    id: String(item.id),
    url: String(item.url),
    eventTypes: (item.eventTypes as string[] | null | undefined) ?? null,
    description: (item.description as string | null | undefined) ?? null,
    secrets: (item.secrets as Subscription['secrets']) ?? [],
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    failingSince: (item.failingSince as string | null | undefined) ?? null,
  };
}

/** Put in the transaction that audits the change: a new subscription (never over another). */
export function subscriptionPut(subscription: Subscription, expectUpdatedAt?: string): TxOp {
  return {
    item: {
      Put: {
        // No `failingSince` attribute while healthy: the workers set it with if_not_exists.
        Item: {
          ...subscriptionKeys.subscription(subscription.id),
          entity: 'eventSubscription',
          ...subscription,
          failingSince: subscription.failingSince ?? undefined,
        },
        ...(expectUpdatedAt
          ? { ConditionExpression: 'updatedAt = :seen', ExpressionAttributeValues: { ':seen': expectUpdatedAt } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
  };
}

export function subscriptionDelete(subscription: Subscription): TxOp {
  return { item: { Delete: { Key: subscriptionKeys.subscription(subscription.id), ConditionExpression: 'attribute_exists(pk)' } } };
}

export async function getSubscription(table: TableRef, id: string): Promise<Subscription | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: subscriptionKeys.subscription(id), ConsistentRead: true }));
  return Item ? itemToSubscription(Item) : undefined;
}

/** Access pattern: the subscriptions, oldest first, a page at a time. */
export async function listSubscriptions(table: TableRef, limit: number, cursor?: string): Promise<Page<Subscription>> {
  const page = await queryPartition(table, { ...subscriptionKeys.subscriptionsPrefix(), limit, cursor });
  return { items: page.items.map(itemToSubscription), nextCursor: page.nextCursor };
}

/** Every subscription (the fan-out reads them all; there are few). */
export async function allSubscriptions(table: TableRef): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSubscriptions(table, 100, cursor);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Marks a subscription failing (from the first failure on) or healthy again; a deleted one stays deleted. */
export async function setSubscriptionFailing(table: TableRef, id: string, since: string | null): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: subscriptionKeys.subscription(id),
        UpdateExpression: since ? 'SET failingSince = if_not_exists(failingSince, :since)' : 'REMOVE failingSince',
        ConditionExpression: 'attribute_exists(pk)',
        ...(since ? { ExpressionAttributeValues: { ':since': since } } : {}),
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}

/** One event's delivery to one subscription, as the deliveries route lists it. */
export type DeliveryRecord = {
  eventId: string;
  userId: string;
  sequence: number;
  type: string;
  status: 'pending' | 'delivered' | 'retrying' | 'parked';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
};

function itemToDelivery(item: Record<string, unknown>): DeliveryRecord {
  return {
    eventId: String(item.eventId),
    userId: String(item.userId),
    sequence: Number(item.sequence),
    type: String(item.type),
    status: item.status as DeliveryRecord['status'],
    attempts: Number(item.attempts ?? 0),
    lastStatusCode: (item.lastStatusCode as number | null | undefined) ?? null,
    lastError: (item.lastError as string | null | undefined) ?? null,
    nextAttemptAt: (item.nextAttemptAt as string | null | undefined) ?? null,
    updatedAt: String(item.updatedAt),
  };
}

/** One event's delivery-log item, as a run writes it (in a batch) or {@link putDelivery} does. */
export function deliveryItem(subscriptionId: string, record: DeliveryRecord) {
  return {
    ...subscriptionKeys.delivery(subscriptionId, record.eventId),
    entity: 'eventDelivery',
    subscriptionId,
    ...record,
    expiresAtEpoch: Math.floor(Date.parse(record.updatedAt) / 1000) + DELIVERY_LOG_DAYS * 86_400,
  };
}

/** Records one event's delivery state for a subscription (the retry route's `pending`). */
export async function putDelivery(table: TableRef, subscriptionId: string, record: DeliveryRecord): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.name, Item: deliveryItem(subscriptionId, record) }));
}

export async function getDelivery(table: TableRef, subscriptionId: string, eventId: string): Promise<DeliveryRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: subscriptionKeys.delivery(subscriptionId, eventId), ConsistentRead: true }),
  );
  return Item ? itemToDelivery(Item) : undefined;
}

/** Access pattern: a subscription's deliveries, newest event first (event ids are ULIDs). */
export async function listDeliveryRecords(table: TableRef, subscriptionId: string, limit: number, cursor?: string): Promise<Page<DeliveryRecord>> {
  const page = await queryPartition(table, { ...subscriptionKeys.deliveriesPrefix(subscriptionId), limit, cursor, newestFirst: true });
  return { items: page.items.map(itemToDelivery), nextCursor: page.nextCursor };
}

/** A user's events after a sequence, oldest first (strongly consistent: the commit's own writes are seen). */
/**
 * A user's events after a sequence number, oldest first, at most `limit`; `complete` when the read
 * reached the end (a page can also stop short at DynamoDB's 1 MB, so its length does not say).
 */
export async function eventsAfter(table: TableRef, userId: string, after: number, limit: number): Promise<{ events: LifecycleEvent[]; complete: boolean }> {
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':from': `EVENT#${String(after + 1).padStart(12, '0')}`, ':to': 'EVENT#~' },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return { events: (Items ?? []).map((item) => item.event as LifecycleEvent), complete: LastEvaluatedKey === undefined };
}
