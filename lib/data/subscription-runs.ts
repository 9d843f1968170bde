import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type TableRef, conditionFailed, updateIf } from './client';
import { DUE, dueKey, itemToProgress, type Lease, pairKey, type Progress } from './delivery-pairs';
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

const dueAt = (at: string, subscriptionId: string) => `${at}#run#${subscriptionId}`;

/** The request an entry of `wanted` stands for. */
export const requestOf = decode;

/**
 * Takes the subscription's run lease when none is live, adding `requests` to `wanted`: every pair
 * a run is asked for stays in `wanted` until the run has recorded it, so a run that dies, throws
 * or loses its lease leaves all of it to the next (the run item is in the due index at the lease's
 * end while `wanted` holds anything). Returns every entry of `wanted` (a dead holder's included),
 * or `busy` after adding `requests` to the live holder's `wanted`, which it takes on before it
 * lets go.
 */
export async function takeRun(
  table: TableRef,
  subscriptionId: string,
  lease: Lease,
  requests: PairRequest[],
  now: Date,
): Promise<{ wanted: string[] } | 'busy'> {
  const at = now.toISOString();
  const asked = requests.length > 0 ? { ':wanted': new Set(requests.map(encode)), ':due': DUE, ':dueAt': dueAt(lease.until, subscriptionId) } : {};
  for (let round = 0; round < 3; round++) {
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: runKey(subscriptionId),
          UpdateExpression: `SET entity = :entity, subscriptionId = :sub, runOwner = :owner, runUntil = :until${requests.length > 0 ? ', gsi7pk = :due, gsi7sk = :dueAt ADD wanted :wanted' : ''}`,
          ConditionExpression: 'attribute_not_exists(runUntil) OR runUntil < :now',
          ExpressionAttributeValues: { ':entity': 'eventRun', ':sub': subscriptionId, ':owner': lease.owner, ':until': lease.until, ':now': at, ...asked },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { wanted: entriesOf(Attributes) };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    if (requests.length === 0) return 'busy';
    const added = await updateIf(table, {
      Key: runKey(subscriptionId),
      UpdateExpression: 'ADD wanted :wanted SET gsi7pk = :due, gsi7sk = if_not_exists(gsi7sk, :dueAt)',
      ConditionExpression: 'runUntil >= :now',
      ExpressionAttributeValues: { ...asked, ':now': at },
    });
    if (added) return 'busy';
    // Let go meanwhile: try to take it ourselves.
  }
  // Never acknowledged as handed over: the caller's message must be run again.
  throw new Error(`the run of subscription ${subscriptionId} could be neither taken nor asked`);
}

function entriesOf(item: Record<string, unknown> | undefined): string[] {
  const wanted = item?.wanted as Set<string> | undefined;
  return wanted ? [...wanted] : [];
}

/** After a round: the lease extended (and its due time with it), the entries it recorded taken out of `wanted`. False when the run is no longer ours. */
export function recordRound(table: TableRef, subscriptionId: string, lease: Lease, done: string[]): Promise<boolean> {
  return updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: `SET runUntil = :until, gsi7sk = :dueAt${done.length > 0 ? ' DELETE wanted :done' : ''}`,
    ConditionExpression: 'runOwner = :owner',
    ExpressionAttributeValues: {
      ':owner': lease.owner,
      ':until': lease.until,
      ':dueAt': dueAt(lease.until, subscriptionId),
      ...(done.length > 0 ? { ':done': new Set(done) } : {}),
    },
  });
}

/** Extends the run's lease before a round's writes; false when it is no longer ours (then the run must write nothing). */
export function renewRun(table: TableRef, subscriptionId: string, lease: Lease): Promise<boolean> {
  return recordRound(table, subscriptionId, lease, []);
}

/**
 * Lets go of the run once it has recorded everything it holds (`held` entries, `wanted` holding
 * exactly those): `wanted` goes with the lease. If more was asked for meanwhile, the recorded
 * entries are taken out, the lease extended, and the rest handed back to be delivered first.
 */
export async function releaseRun(table: TableRef, subscriptionId: string, lease: Lease, held: string[]): Promise<'released' | 'lost' | { wanted: string[] }> {
  const released = await updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: 'REMOVE runOwner, runUntil, wanted, gsi7pk, gsi7sk',
    // Only this run deletes from `wanted`, and only what it recorded: the same size is the same set.
    ConditionExpression: 'runOwner = :owner AND (attribute_not_exists(wanted) OR size(wanted) = :held)',
    ExpressionAttributeValues: { ':owner': lease.owner, ':held': held.length },
  });
  if (released) return 'released';
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: runKey(subscriptionId),
        UpdateExpression: `SET runUntil = :until, gsi7sk = :dueAt${held.length > 0 ? ' DELETE wanted :done' : ''}`,
        ConditionExpression: 'runOwner = :owner',
        ExpressionAttributeValues: {
          ':owner': lease.owner,
          ':until': lease.until,
          ':dueAt': dueAt(lease.until, subscriptionId),
          ...(held.length > 0 ? { ':done': new Set(held) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { wanted: entriesOf(Attributes) };
  } catch (error) {
    if (conditionFailed(error)) return 'lost';
    throw error;
  }
}

/**
 * Lets go of a run with work left (it yields, or it failed): the recorded entries out of
 * `wanted`, the rest due now, for the follow-up or the schedule.
 */
export function yieldRun(table: TableRef, subscriptionId: string, owner: string, done: string[], now: Date): Promise<boolean> {
  return updateIf(table, {
    Key: runKey(subscriptionId),
    UpdateExpression: `SET gsi7sk = :dueAt REMOVE runOwner, runUntil${done.length > 0 ? ' DELETE wanted :done' : ''}`,
    ConditionExpression: 'runOwner = :owner',
    ExpressionAttributeValues: { ':owner': owner, ':dueAt': dueAt(now.toISOString(), subscriptionId), ...(done.length > 0 ? { ':done': new Set(done) } : {}) },
  });
}

/** The run item of a subscription that is gone, removed (what it was asked for with it). */
export async function dropRun(table: TableRef, subscriptionId: string): Promise<void> {
  await table.client.send(new DeleteCommand({ TableName: table.name, Key: runKey(subscriptionId) }));
}

/** Takes the pairs of a subscription that is gone out of the due index, so the schedule stops queueing them. */
export async function forgetPairs(table: TableRef, subscriptionId: string, userIds: string[]): Promise<void> {
  const target = subscriptionTarget(subscriptionId);
  await Promise.all(
    userIds.map((userId) =>
      updateIf(table, { Key: pairKey(target, userId), UpdateExpression: 'REMOVE gsi7pk, gsi7sk', ConditionExpression: 'attribute_exists(pk)' }),
    ),
  );
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
    ExpressionAttributeValues: { ':dueAt': dueAt(now.toISOString(), subscriptionId) },
  });
}

const subscriptionTarget = (subscriptionId: string) => ({ kind: 'subscription' as const, id: subscriptionId });

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
    } else progresses.set(String(item.userId), itemToProgress(item));
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
    ...(due ? { gsi7pk: DUE, gsi7sk: dueKey(progress.nextAttemptAt!, progress.target, progress.userId) } : {}),
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
