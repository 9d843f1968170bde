import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscription } from '../domain/subscriptions';
import type { TableRef } from './client';
import type { LifecycleEvent } from '../domain/events';
import { queryPartition, type Page } from './pagination';
import { index } from './table-definition';
import type { TxOp } from './transaction';

/**
 * Event subscriptions and their deliveries (rule 13, docs/events.md):
 * - the subscriptions share one small partition, listed with a Query;
 * - per subscription and user, a progress item: the resume point of that pair's deliveries
 *   (`lastDelivered` sequence), the lease that lets one worker at a time deliver it, and its retry
 *   state; while it has something due (a retry, or a lease that would expire with work left) it is
 *   in the sparse `eventDeliveriesDue` index;
 * - per subscription and event, a delivery-log item (status, attempts, last status code).
 */
export const subscriptionKeys = {
  subscription: (id: string) => ({ pk: 'EVENTSUBS', sk: `EVENTSUB#${id}` }),
  subscriptionsPrefix: () => ({ pk: 'EVENTSUBS', skPrefix: 'EVENTSUB#' }),
  progress: (subscriptionId: string, userId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, sk: `PROGRESS#${userId}` }),
  delivery: (subscriptionId: string, eventId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, sk: `DELIVERY#${eventId}` }),
  deliveriesPrefix: (subscriptionId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, skPrefix: 'DELIVERY#' }),
};

/** The sparse index's partition: pairs with something due. */
const DUE = 'EVENTS_DUE';
/** Delivery-log items outlive the events they describe by a while, then go (TTL). */
const DELIVERY_LOG_DAYS = 30;

const conditionFailed = (error: unknown) => error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

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

/** The resume point and retry state of one subscription's deliveries of one user's events. */
export type Progress = {
  subscriptionId: string;
  userId: string;
  /** The sequence of the last event delivered (or skipped: not wanted); 0 before the first. */
  lastDelivered: number;
  status: 'ok' | 'retrying' | 'parked';
  attempts: number;
  nextAttemptAt: string | null;
  firstFailedAt: string | null;
};

function itemToProgress(item: Record<string, unknown>): Progress {
  return {
    subscriptionId: String(item.subscriptionId),
    userId: String(item.userId),
    lastDelivered: Number(item.lastDelivered ?? 0),
    status: (item.status as Progress['status'] | undefined) ?? 'ok',
    attempts: Number(item.attempts ?? 0),
    nextAttemptAt: (item.nextAttemptAt as string | undefined) ?? null,
    firstFailedAt: (item.firstFailedAt as string | undefined) ?? null,
  };
}

const dueKey = (at: string, subscriptionId: string, userId: string) => `${at}#${subscriptionId}#${userId}`;

export type Lease = { owner: string; until: string };

/**
 * Takes the pair's lease, so only this worker delivers it until `until`: only when no live lease
 * is held, the pair is not parked, and no retry is waiting for its time. Whoever finds the lease
 * held records that it wanted it (`wanted`), and the holder looks again before letting go, so an
 * event committed while another worker delivers is never left behind. The pair goes into the due
 * index at the lease's end: if the holder dies, the schedule picks the pair up then.
 * Returns the progress, or why not: `busy` (another worker has it), `waiting` (parked, or a retry
 * not yet due).
 */
export async function takeLease(table: TableRef, subscriptionId: string, userId: string, lease: Lease, now: Date): Promise<Progress | 'busy' | 'waiting'> {
  const at = now.toISOString();
  for (let round = 0; round < 3; round++) {
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: subscriptionKeys.progress(subscriptionId, userId),
          UpdateExpression:
            'SET entity = :entity, subscriptionId = :sub, userId = :user, lastDelivered = if_not_exists(lastDelivered, :zero), leaseOwner = :owner, leaseUntil = :until, gsi7pk = :due, gsi7sk = :dueAt REMOVE wanted',
          ConditionExpression:
            '(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(#status) OR #status <> :parked) AND (attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': 'eventProgress',
            ':sub': subscriptionId,
            ':user': userId,
            ':zero': 0,
            ':owner': lease.owner,
            ':until': lease.until,
            ':now': at,
            ':parked': 'parked',
            ':due': DUE,
            ':dueAt': dueKey(lease.until, subscriptionId, userId),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return itemToProgress(Attributes!);
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const old = (error as { Item?: Record<string, unknown> }).Item;
      const leased = old && typeof old.leaseUntil === 'string' && old.leaseUntil >= at;
      if (!leased) return 'waiting';
      // Held: ask the holder to look again before it lets go (only while it still holds it).
      try {
        await table.client.send(
          new UpdateCommand({
            TableName: table.name,
            Key: subscriptionKeys.progress(subscriptionId, userId),
            UpdateExpression: 'SET wanted = :yes',
            ConditionExpression: 'leaseUntil >= :now',
            ExpressionAttributeValues: { ':yes': true, ':now': at },
          }),
        );
        return 'busy';
      } catch (again) {
        if (!conditionFailed(again)) throw again;
        // Let go meanwhile: try to take it ourselves.
      }
    }
  }
  return 'busy';
}

/** The outcome of one delivery attempt, recorded on the pair (only by the lease's owner). */
export type Recorded =
  | { kind: 'delivered'; sequence: number; lease: Lease }
  | { kind: 'skipped'; sequence: number; lease: Lease }
  | { kind: 'retry'; attempts: number; nextAttemptAt: string; firstFailedAt: string }
  | { kind: 'parked'; attempts: number; firstFailedAt: string };

/** Records an attempt's outcome; false when the lease was lost meanwhile (someone else has the pair now). */
export async function recordProgress(table: TableRef, subscriptionId: string, userId: string, owner: string, outcome: Recorded): Promise<boolean> {
  const key = subscriptionKeys.progress(subscriptionId, userId);
  let update: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> };
  switch (outcome.kind) {
    case 'delivered':
    case 'skipped':
      update = {
        UpdateExpression: 'SET lastDelivered = :seq, #status = :ok, attempts = :zero, leaseUntil = :until, gsi7sk = :dueAt REMOVE nextAttemptAt, firstFailedAt',
        ExpressionAttributeValues: {
          ':seq': outcome.sequence,
          ':ok': 'ok',
          ':zero': 0,
          ':until': outcome.lease.until,
          ':dueAt': dueKey(outcome.lease.until, subscriptionId, userId),
        },
      };
      break;
    case 'retry':
      update = {
        UpdateExpression:
          'SET #status = :retrying, attempts = :attempts, nextAttemptAt = :next, firstFailedAt = :first, gsi7pk = :due, gsi7sk = :dueAt REMOVE leaseOwner, leaseUntil, wanted',
        ExpressionAttributeValues: {
          ':retrying': 'retrying',
          ':attempts': outcome.attempts,
          ':next': outcome.nextAttemptAt,
          ':first': outcome.firstFailedAt,
          ':due': DUE,
          ':dueAt': dueKey(outcome.nextAttemptAt, subscriptionId, userId),
        },
      };
      break;
    case 'parked':
      update = {
        UpdateExpression:
          'SET #status = :parked, attempts = :attempts, firstFailedAt = :first REMOVE nextAttemptAt, leaseOwner, leaseUntil, wanted, gsi7pk, gsi7sk',
        ExpressionAttributeValues: { ':parked': 'parked', ':attempts': outcome.attempts, ':first': outcome.firstFailedAt },
      };
      break;
  }
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: key,
        ...update,
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':owner': owner },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/**
 * Lets go of the lease when nothing is left: only if no other worker asked for the pair meanwhile
 * (`wanted`); if one did, clears the request and answers `again`, and the caller looks for new
 * events before letting go. `lost`: the lease is no longer ours.
 */
export async function releaseLease(table: TableRef, subscriptionId: string, userId: string, owner: string): Promise<'released' | 'again' | 'lost'> {
  const key = subscriptionKeys.progress(subscriptionId, userId);
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: key,
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil, gsi7pk, gsi7sk',
        ConditionExpression: 'leaseOwner = :owner AND attribute_not_exists(wanted)',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
    return 'released';
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: key,
        UpdateExpression: 'REMOVE wanted',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
    return 'again';
  } catch (error) {
    if (conditionFailed(error)) return 'lost';
    throw error;
  }
}

/** Lets go of the lease and takes the pair out of the due index: its subscription is gone. */
export async function dropPair(table: TableRef, subscriptionId: string, userId: string, owner: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: subscriptionKeys.progress(subscriptionId, userId),
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil, wanted, gsi7pk, gsi7sk',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}

export async function getProgress(table: TableRef, subscriptionId: string, userId: string): Promise<Progress | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: subscriptionKeys.progress(subscriptionId, userId), ConsistentRead: true }),
  );
  return Item ? itemToProgress(Item) : undefined;
}

/**
 * Un-parks a pair whose head event is `sequence` (the retry route): due now, attempts and the
 * failure clock start over. Only if it is still parked on that event. False otherwise.
 */
export async function unparkPair(table: TableRef, subscriptionId: string, userId: string, sequence: number, now: Date): Promise<boolean> {
  const at = now.toISOString();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: subscriptionKeys.progress(subscriptionId, userId),
        UpdateExpression: 'SET #status = :retrying, attempts = :zero, nextAttemptAt = :now, gsi7pk = :due, gsi7sk = :dueAt REMOVE firstFailedAt',
        ConditionExpression: '#status = :parked AND lastDelivered = :before',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':retrying': 'retrying',
          ':parked': 'parked',
          ':zero': 0,
          ':now': at,
          ':due': DUE,
          ':dueAt': dueKey(at, subscriptionId, userId),
          ':before': sequence - 1,
        },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/** Access pattern: pairs with something due by `now` (a retry, or a lease that ran out), oldest first. */
export async function duePairs(table: TableRef, now: Date, limit = 100): Promise<{ subscriptionId: string; userId: string }[]> {
  const { IndexName, partitionKey, sortKey } = index('eventDeliveriesDue');
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName,
      KeyConditionExpression: '#pk = :due AND #sk <= :now',
      ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
      ExpressionAttributeValues: { ':due': DUE, ':now': `${now.toISOString()}~` },
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => ({ subscriptionId: String(item.subscriptionId), userId: String(item.userId) }));
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

/** Records one event's delivery state for a subscription (written by the pair's lease owner). */
export async function putDelivery(table: TableRef, subscriptionId: string, record: DeliveryRecord): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...subscriptionKeys.delivery(subscriptionId, record.eventId),
        entity: 'eventDelivery',
        subscriptionId,
        ...record,
        expiresAtEpoch: Math.floor(Date.parse(record.updatedAt) / 1000) + DELIVERY_LOG_DAYS * 86_400,
      },
    }),
  );
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
export async function eventsAfter(table: TableRef, userId: string, after: number, limit: number): Promise<LifecycleEvent[]> {
  const { Items } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':from': `EVENT#${String(after + 1).padStart(12, '0')}`, ':to': 'EVENT#~' },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => item.event as LifecycleEvent);
}
