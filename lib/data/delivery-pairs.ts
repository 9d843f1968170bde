import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type TableRef, conditionFailed } from './client';
import { index } from './table-definition';

/**
 * Delivery pairs (rule 13 and 14, docs/events.md): per target and user, one progress item holds
 * the resume point of that pair's deliveries (`lastDelivered` sequence), the lease that lets one
 * worker at a time deliver it, and its retry state; while it has something due (a retry, or a
 * lease that would expire with work left) it is in the sparse `eventDeliveriesDue` index. A target
 * is a webhook subscription (its events are sent one by one, in order) or a SCIM connector (the
 * user's latest state is applied to the connected system).
 */
export type Target = { kind: 'subscription' | 'connector'; id: string };

const TARGET_PARTITION = { subscription: 'EVENTSUB', connector: 'CONNECTOR' } as const;

export const pairKey = (target: Target, userId: string) => ({ pk: `${TARGET_PARTITION[target.kind]}#${target.id}`, sk: `PROGRESS#${userId}` });

/** The sparse index's partition: pairs with something due. */
export const DUE = 'EVENTS_DUE';

/** The resume point and retry state of one target's deliveries of one user's events. */
export type Progress = {
  target: Target;
  userId: string;
  /** The sequence of the last event delivered (or skipped: not wanted; for a connector: applied); 0 before the first. */
  lastDelivered: number;
  status: 'ok' | 'retrying' | 'parked';
  attempts: number;
  nextAttemptAt: string | null;
  firstFailedAt: string | null;
};

export function itemToProgress(item: Record<string, unknown>): Progress {
  return {
    target: { kind: item.targetKind as Target['kind'], id: String(item.targetId) },
    userId: String(item.userId),
    lastDelivered: Number(item.lastDelivered ?? 0),
    status: (item.status as Progress['status'] | undefined) ?? 'ok',
    attempts: Number(item.attempts ?? 0),
    nextAttemptAt: (item.nextAttemptAt as string | undefined) ?? null,
    firstFailedAt: (item.firstFailedAt as string | undefined) ?? null,
  };
}

export const dueKey = (at: string, target: Target, userId: string) => `${at}#${target.kind}#${target.id}#${userId}`;

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
export async function takeLease(table: TableRef, target: Target, userId: string, lease: Lease, now: Date): Promise<Progress | 'busy' | 'waiting'> {
  const at = now.toISOString();
  for (let round = 0; round < 3; round++) {
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: pairKey(target, userId),
          UpdateExpression:
            'SET entity = :entity, targetKind = :kind, targetId = :target, userId = :user, lastDelivered = if_not_exists(lastDelivered, :zero), leaseOwner = :owner, leaseUntil = :until, gsi7pk = :due, gsi7sk = :dueAt REMOVE wanted',
          ConditionExpression:
            '(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND (attribute_not_exists(#status) OR #status <> :parked) AND (attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': 'eventProgress',
            ':kind': target.kind,
            ':target': target.id,
            ':user': userId,
            ':zero': 0,
            ':owner': lease.owner,
            ':until': lease.until,
            ':now': at,
            ':parked': 'parked',
            ':due': DUE,
            ':dueAt': dueKey(lease.until, target, userId),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return itemToProgress(Attributes!);
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      // The document client does not unmarshall the item a failed condition returns.
      const raw = (error as { Item?: Record<string, AttributeValue> }).Item;
      const old = raw ? unmarshall(raw) : undefined;
      const leased = old && typeof old.leaseUntil === 'string' && old.leaseUntil >= at;
      if (!leased) return 'waiting';
      // Held: ask the holder to look again before it lets go (only while it still holds it).
      try {
        await table.client.send(
          new UpdateCommand({
            TableName: table.name,
            Key: pairKey(target, userId),
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
  | { kind: 'retry'; attempts: number; nextAttemptAt: string; firstFailedAt: string; skippedThrough?: number | undefined }
  | { kind: 'parked'; attempts: number; firstFailedAt: string; skippedThrough?: number | undefined };

/** Records an attempt's outcome; false when the lease was lost meanwhile (someone else has the pair now). */
export async function recordProgress(table: TableRef, target: Target, userId: string, owner: string, outcome: Recorded): Promise<boolean> {
  const key = pairKey(target, userId);
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
          ':dueAt': dueKey(outcome.lease.until, target, userId),
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
          ':dueAt': dueKey(outcome.nextAttemptAt, target, userId),
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
  // Events skipped in this run before the failing one (not written one by one): the failing event
  // stays the one right after the recorded progress, which an admin's retry of a parked pair expects.
  if ((outcome.kind === 'retry' || outcome.kind === 'parked') && outcome.skippedThrough !== undefined) {
    update = {
      UpdateExpression: update.UpdateExpression.replace('SET ', 'SET lastDelivered = :skipped, '),
      ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':skipped': outcome.skippedThrough },
    };
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
export async function releaseLease(table: TableRef, target: Target, userId: string, owner: string): Promise<'released' | 'again' | 'lost'> {
  const key = pairKey(target, userId);
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

/**
 * Records the last event of a run delivered and lets go of the pair in one write, the common end
 * of a run: the caller's events query came back short, so it saw every event committed before it,
 * and one committed since has asked for the pair (`wanted`, set by {@link takeLease}). If one did,
 * the event is recorded with the lease kept and the answer is {@link releaseLease}'s: `again`.
 */
export async function recordDeliveredAndRelease(
  table: TableRef,
  target: Target,
  userId: string,
  owner: string,
  outcome: { sequence: number; lease: Lease },
): Promise<'released' | 'again' | 'lost'> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: pairKey(target, userId),
        UpdateExpression:
          'SET lastDelivered = :seq, #status = :ok, attempts = :zero REMOVE nextAttemptAt, firstFailedAt, leaseOwner, leaseUntil, gsi7pk, gsi7sk',
        ConditionExpression: 'leaseOwner = :owner AND attribute_not_exists(wanted)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':seq': outcome.sequence, ':ok': 'ok', ':zero': 0, ':owner': owner },
      }),
    );
    return 'released';
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
  if (!(await recordProgress(table, target, userId, owner, { kind: 'delivered', ...outcome }))) return 'lost';
  return releaseLease(table, target, userId, owner);
}

/**
 * Lets go of a pair with work left (a run that yields): whoever asked meanwhile is answered by the
 * follow-up the caller queues next, and the pair stays in the due index as due now, so the
 * schedule runs it should that follow-up never be queued (the process dies in between).
 */
export async function yieldLease(table: TableRef, target: Target, userId: string, owner: string, now: Date): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: pairKey(target, userId),
        UpdateExpression: 'SET gsi7pk = :due, gsi7sk = :dueAt REMOVE leaseOwner, leaseUntil, wanted',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':due': DUE, ':dueAt': dueKey(now.toISOString(), target, userId) },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/** Lets go of the lease and takes the pair out of the due index: its subscription is gone. */
export async function dropPair(table: TableRef, target: Target, userId: string, owner: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: pairKey(target, userId),
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil, wanted, gsi7pk, gsi7sk',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}

export async function getProgress(table: TableRef, target: Target, userId: string): Promise<Progress | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: pairKey(target, userId), ConsistentRead: true }));
  return Item ? itemToProgress(Item) : undefined;
}

/**
 * Un-parks a pair whose head event is `sequence` (the retry route): due now, attempts and the
 * failure clock start over. Only if it is still parked on that event. False otherwise.
 */
export async function unparkPair(table: TableRef, target: Target, userId: string, sequence: number, now: Date): Promise<boolean> {
  const at = now.toISOString();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: pairKey(target, userId),
        UpdateExpression: 'SET #status = :retrying, attempts = :zero, nextAttemptAt = :now, gsi7pk = :due, gsi7sk = :dueAt REMOVE firstFailedAt',
        ConditionExpression: '#status = :parked AND lastDelivered = :before',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':retrying': 'retrying',
          ':parked': 'parked',
          ':zero': 0,
          ':now': at,
          ':due': DUE,
          ':dueAt': dueKey(at, target, userId),
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
export async function duePairs(table: TableRef, now: Date, limit = 100): Promise<{ target: Target; userId: string }[]> {
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
  return (Items ?? []).flatMap((item) => {
    // A subscription's run item, due with pairs asked of a run that died or yielded: any pair's turn gives the next run all of them.
    if (item.entity === 'eventRun') {
      const wanted = item.wanted as Set<string> | undefined;
      const first = wanted ? [...wanted][0] : undefined;
      return first ? [{ target: { kind: 'subscription' as const, id: String(item.subscriptionId) }, userId: first.split('#')[0]! }] : [];
    }
    return [{ target: { kind: item.targetKind as Target['kind'], id: String(item.targetId) }, userId: String(item.userId) }];
  });
}

/**
 * Lets go of every lease still held, each pair due now: what the local server does at start,
 * before it runs anything, being the only worker on its table, so any lease it finds belongs to a
 * run that died (a SIGKILL mid-delivery). Without this the pair would wait for that lease to run
 * out (a minute) before anyone delivered it again. Only ever called where no other worker can
 * hold a lease: never in AWS, where leases are what keeps concurrent workers apart.
 * Returns how many leases it released.
 */
export async function releaseLeftoverLeases(table: TableRef, now: Date): Promise<number> {
  const { IndexName, partitionKey } = index('eventDeliveriesDue');
  let released = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName,
        KeyConditionExpression: '#pk = :due',
        FilterExpression: 'attribute_exists(leaseOwner)',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':due': DUE },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const target: Target = { kind: item.targetKind as Target['kind'], id: String(item.targetId) };
      const userId = String(item.userId);
      // Let go as a run that yields does: due now, for the schedule (or the start's own run of it).
      if (await yieldLease(table, target, userId, String(item.leaseOwner), now)) released++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return released;
}

/**
 * Makes a waiting pair (parked, or a retry not yet due) due now with its attempts and failure
 * clock started over, when no worker holds it: what a connector sync does before it reconciles
 * the user. False when the pair was not waiting.
 */
export async function makeDueNow(table: TableRef, target: Target, userId: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: pairKey(target, userId),
        UpdateExpression: 'SET #status = :retrying, attempts = :zero, nextAttemptAt = :now, gsi7pk = :due, gsi7sk = :dueAt REMOVE firstFailedAt',
        ConditionExpression: '(#status = :parked OR #status = :retrying) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':retrying': 'retrying', ':parked': 'parked', ':zero': 0, ':now': at, ':due': DUE, ':dueAt': dueKey(at, target, userId) },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}
