import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type TableRef, conditionFailed, updateIf } from './client';
import { type Lease, pairKey, type Progress } from './delivery-pairs';
import { type Item, batchGetItems, batchPutItems } from './items';
import { eventKeys } from './events';
import type { LifecycleEvent } from '../domain/events';
import type { PairRequest } from '../domain/subscriptions';

/**
 * A subscription's delivery run (rule 13, docs/events.md): one worker at a time delivers a
 * subscription's events, many users at once, holding the subscription's run lease
 * (`EVENTSUB#<id>` / `RUN`, a conditional write). Under it the pairs' progress items and the
 * delivery log are written in batches (BatchWriteItem) rather than one conditional write each: no
 * one else writes them meanwhile. A worker that finds the run held adds the pairs it was asked for
 * to the run's `wanted` set (only while the lease is live), and the holder takes them on before it
 * lets go, so nothing committed during a run is left behind. While `wanted` waits, the run item is
 * in the due index at the lease's end, so a holder that dies is replaced by the schedule.
 */

export type { PairRequest };

const runKey = (subscriptionId: string) => ({ pk: `EVENTSUB#${subscriptionId}`, sk: 'RUN' });

/** Wanted pairs travel as a string set: `userId` or `userId#through`. */
const encode = (request: PairRequest) => (request.through === undefined ? request.userId : `${request.userId}#${request.through}`);
function decode(entry: string): PairRequest {
  const at = entry.lastIndexOf('#');
  return at < 0 ? { userId: entry } : { userId: entry.slice(0, at), through: Number(entry.slice(at + 1)) };
}
function wantedOf(item: Record<string, unknown> | undefined): PairRequest[] {
  const wanted = item?.wanted as Set<string> | undefined;
  return wanted ? [...wanted].map(decode) : [];
}

const DUE = 'EVENTS_DUE';

/**
 * Takes the subscription's run lease when none is live. Returns the pairs a dead holder was still
 * asked for (taken over with the lease), or `busy` after adding `requests` to the holder's
 * `wanted` set.
 */
export async function takeRun(
  table: TableRef,
  subscriptionId: string,
  lease: Lease,
  requests: PairRequest[],
  now: Date,
): Promise<{ wanted: PairRequest[] } | 'busy'> {
  const at = now.toISOString();
  for (let round = 0; round < 3; round++) {
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: runKey(subscriptionId),
          UpdateExpression: 'SET entity = :entity, subscriptionId = :sub, runOwner = :owner, runUntil = :until REMOVE wanted, gsi7pk, gsi7sk',
          ConditionExpression: 'attribute_not_exists(runUntil) OR runUntil < :now',
          ExpressionAttributeValues: { ':entity': 'eventRun', ':sub': subscriptionId, ':owner': lease.owner, ':until': lease.until, ':now': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { wanted: wantedOf(Attributes) };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    if (requests.length === 0) return 'busy';
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: runKey(subscriptionId),
          // Due at the lease's end: should the holder die, the schedule gives these pairs a run.
          UpdateExpression: 'ADD wanted :wanted SET gsi7pk = :due, gsi7sk = if_not_exists(gsi7sk, :dueAt)',
          ConditionExpression: 'runUntil >= :now',
          ExpressionAttributeValues: { ':wanted': new Set(requests.map(encode)), ':now': at, ':due': DUE, ':dueAt': `${lease.until}#run#${subscriptionId}` },
        }),
      );
      return 'busy';
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      // Let go meanwhile: try to take it ourselves.
    }
  }
  return 'busy';
}

/** Extends the run's lease; false when it is no longer ours (then the run must write nothing more). */
export function renewRun(table: TableRef, subscriptionId: string, lease: Lease): Promise<boolean> {
  return updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: 'SET runUntil = :until',
    ConditionExpression: 'runOwner = :owner',
    ExpressionAttributeValues: { ':owner': lease.owner, ':until': lease.until },
  });
}

/**
 * Lets go of the run when nobody asked for more meanwhile; if someone did, hands back what they
 * asked for (the lease kept) and the caller delivers it before trying again. `lost`: not ours.
 */
export async function releaseRun(table: TableRef, subscriptionId: string, owner: string): Promise<'released' | 'lost' | { again: PairRequest[] }> {
  const released = await updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: 'REMOVE runOwner, runUntil',
    ConditionExpression: 'runOwner = :owner AND attribute_not_exists(wanted)',
    ExpressionAttributeValues: { ':owner': owner },
  });
  if (released) return 'released';
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: runKey(subscriptionId),
        UpdateExpression: 'REMOVE wanted, gsi7pk, gsi7sk',
        ConditionExpression: 'runOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { again: wantedOf(Attributes) };
  } catch (error) {
    if (conditionFailed(error)) return 'lost';
    throw error;
  }
}

/**
 * Lets go of a run with work left (it yields, or its subscription is gone): unconditionally, the
 * pairs still asked for kept in `wanted` and due now, for the schedule (or a follow-up) to run.
 */
export function yieldRun(table: TableRef, subscriptionId: string, owner: string, left: PairRequest[], now: Date): Promise<boolean> {
  return updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: left.length > 0 ? 'ADD wanted :left SET gsi7pk = :due, gsi7sk = :dueAt REMOVE runOwner, runUntil' : 'REMOVE runOwner, runUntil',
    ConditionExpression: 'runOwner = :owner',
    ExpressionAttributeValues: {
      ':owner': owner,
      ...(left.length > 0 ? { ':left': new Set(left.map(encode)), ':due': DUE, ':dueAt': `${now.toISOString()}#run#${subscriptionId}` } : {}),
    },
  });
}

/** Removes the run item of a subscription that is gone (its wanted pairs with it). */
export async function dropRun(table: TableRef, subscriptionId: string, owner: string): Promise<void> {
  await updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: 'REMOVE runOwner, runUntil, wanted, gsi7pk, gsi7sk',
    ConditionExpression: 'runOwner = :owner',
    ExpressionAttributeValues: { ':owner': owner },
  });
}

/** Hands back a run item found in the due index: its subscription and the pairs it was asked for. */
export function dueRun(item: Record<string, unknown>): { subscriptionId: string; wanted: PairRequest[] } | undefined {
  if (item.entity !== 'eventRun') return undefined;
  return { subscriptionId: String(item.subscriptionId), wanted: wantedOf(item) };
}

/**
 * Lets go of a run lease a dead run still holds (the local server at start, the only worker on its
 * table), its wanted pairs due now. True when there was one.
 */
export function releaseLeftoverRun(table: TableRef, subscriptionId: string, now: Date): Promise<boolean> {
  return updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: 'REMOVE runOwner, runUntil SET gsi7sk = :dueAt',
    ConditionExpression: 'attribute_exists(runOwner)',
    ExpressionAttributeValues: { ':dueAt': `${now.toISOString()}#run#${subscriptionId}` },
  });
}

const subscriptionTarget = (subscriptionId: string) => ({ kind: 'subscription' as const, id: subscriptionId });

function itemToProgress(subscriptionId: string, item: Item): Progress {
  return {
    target: subscriptionTarget(subscriptionId),
    userId: String(item.userId),
    lastDelivered: Number(item.lastDelivered ?? 0),
    status: (item.status as Progress['status'] | undefined) ?? 'ok',
    attempts: Number(item.attempts ?? 0),
    nextAttemptAt: (item.nextAttemptAt as string | undefined) ?? null,
    firstFailedAt: (item.firstFailedAt as string | undefined) ?? null,
  };
}

/**
 * The progress of many pairs of one subscription (a pair never run is absent) and, read with
 * them, one event of each of some of those users, in one BatchGetItem per 100 keys (strongly
 * consistent).
 */
export async function getProgressesAndEvents(
  table: TableRef,
  subscriptionId: string,
  userIds: string[],
  events: { userId: string; sequence: number }[],
): Promise<{ progresses: Map<string, Progress>; events: Map<string, LifecycleEvent> }> {
  const target = subscriptionTarget(subscriptionId);
  const found = await batchGetItems(table, [
    ...userIds.map((userId) => pairKey(target, userId)),
    ...events.map(({ userId, sequence }) => eventKeys.event(userId, sequence)),
  ]);
  const progresses = new Map<string, Progress>();
  const byUser = new Map<string, LifecycleEvent>();
  for (const item of found.values()) {
    if (item.entity === 'event') {
      const event = item.event as LifecycleEvent;
      byUser.set(event.data.userId, event);
    } else progresses.set(String(item.userId), itemToProgress(subscriptionId, item));
  }
  return { progresses, events: byUser };
}

/** The progress item as a run writes it whole: in the due index only while a retry waits. */
export function progressItem(progress: Progress): Item {
  const due = progress.status === 'retrying' && progress.nextAttemptAt;
  return {
    ...pairKey(progress.target, progress.userId),
    entity: 'eventProgress',
    targetKind: progress.target.kind,
    targetId: progress.target.id,
    userId: progress.userId,
    lastDelivered: progress.lastDelivered,
    status: progress.status,
    attempts: progress.attempts,
    ...(progress.nextAttemptAt ? { nextAttemptAt: progress.nextAttemptAt } : {}),
    ...(progress.firstFailedAt ? { firstFailedAt: progress.firstFailedAt } : {}),
    ...(due ? { gsi7pk: DUE, gsi7sk: `${progress.nextAttemptAt}#${progress.target.kind}#${progress.target.id}#${progress.userId}` } : {}),
  };
}

/** Writes a run's progress and delivery-log items, 25 per BatchWriteItem. */
export async function writeRunItems(table: TableRef, items: Item[]): Promise<void> {
  await batchPutItems(table, items);
}

/** Events of many users by sequence, in one BatchGetItem per 100 keys: `userId` → its events found, oldest first. */
export async function eventsBySequence(table: TableRef, wanted: { userId: string; from: number; through: number }[]): Promise<Map<string, LifecycleEvent[]>> {
  const keys = wanted.flatMap(({ userId, from, through }) =>
    Array.from({ length: Math.max(0, through - from + 1) }, (_, i) => eventKeys.event(userId, from + i)),
  );
  const found = await batchGetItems(table, keys);
  const byUser = new Map<string, LifecycleEvent[]>();
  for (const item of found.values()) {
    const event = item.event as LifecycleEvent;
    const list = byUser.get(event.data.userId) ?? [];
    list.push(event);
    byUser.set(event.data.userId, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.data.sequence - b.data.sequence);
  return byUser;
}
