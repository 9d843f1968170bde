import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../data/client';
import { keys } from '../data/keys';
import { outboxIdOf } from '../data/outbox-item';
import { OUTBOX_ENTITY } from '../data/outbox-item';
import type { EnqueueOptions } from '../jobs/in-process-queue';
import { outboxMessageSchema, type OutboxMessage } from '../jobs/queue';
import { logger } from '../logger';

/**
 * Crash recovery for the local runtime, which has no stream and no durable queue: the in-process
 * queue marks each outbox item once its message was handled (`handledAt`), and at start-up
 * everything not marked is queued again, with every handover job still pending or running. In AWS
 * none of this runs: the stream and SQS hold the messages until a worker has handled them.
 */

/** Marks an outbox item handled (local only). An item already gone is left gone. */
export async function markOutboxHandled(table: TableRef, outboxId: string, at: Date): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.outbox(outboxId),
        UpdateExpression: 'SET handledAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

export type UnfinishedWork = {
  /** Outbox messages not marked handled, oldest first, with their outbox items' ids. */
  outbox: { id: string; message: OutboxMessage; createdAt: string }[];
  /** Handover jobs still pending or running. */
  jobIds: string[];
};

/** Parallel Scan segments: on DynamoDB Local four read a large table two to four times faster than one. */
const SCAN_SEGMENTS = 4;

/**
 * One consistent Scan of the table for what a previous run left unfinished. A Scan, because the
 * table has no index for it; locally that is one pass at start-up, never on a request.
 */
export async function findUnfinishedWork(table: TableRef): Promise<UnfinishedWork> {
  const found: UnfinishedWork = { outbox: [], jobIds: [] };
  await Promise.all(Array.from({ length: SCAN_SEGMENTS }, (_, segment) => scanSegment(table, segment, found)));
  found.outbox.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return found;
}

async function scanSegment(table: TableRef, segment: number, found: UnfinishedWork): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        ConsistentRead: true,
        Segment: segment,
        TotalSegments: SCAN_SEGMENTS,
        FilterExpression: '(#entity = :outbox AND attribute_not_exists(handledAt)) OR (#entity = :job AND #status IN (:pending, :running))',
        ProjectionExpression: '#pk, #entity, #message, #createdAt, #id',
        ExpressionAttributeNames: { '#status': 'status', '#pk': 'pk', '#entity': 'entity', '#message': 'message', '#createdAt': 'createdAt', '#id': 'id' },
        ExpressionAttributeValues: { ':outbox': OUTBOX_ENTITY, ':job': 'job', ':pending': 'pending', ':running': 'running' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entity === 'job') {
        found.jobIds.push(item.id as string);
        continue;
      }
      const parsed = outboxMessageSchema.safeParse(item.message);
      if (!parsed.success) {
        logger.error('malformed outbox item left alone', { pk: item.pk });
        continue;
      }
      found.outbox.push({ id: outboxIdOf(item.pk as string), message: parsed.data, createdAt: String(item.createdAt ?? '') });
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Messages that do the same work: a queue may hold one several times, a run needs it once. */
function workKey(message: OutboxMessage): string {
  switch (message.type) {
    case 'handover':
      return `handover:${message.jobId}`;
    case 'hrDelivery':
      return `hrDelivery:${message.provider}:${message.deliveryId}`;
    case 'mail':
      return `mail:${message.kind}:${message.userId}:${message.requestId}`;
    // The sequence is part of the work: a `deliver` through 5 does more than one through 3.
    case 'events':
      return `events:${message.userId}:${message.eventType}:${message.sequence ?? ''}`;
    case 'deliver':
      return `deliver:${message.subscriptionId}:${message.userId}:${message.sequence ?? ''}`;
    case 'provision':
      return `provision:${message.connectorId}:${message.userId}:${message.sequence ?? ''}`;
    case 'connectorSync':
      return `connectorSync:${message.jobId}`;
  }
}

export type Enqueue = (message: OutboxMessage, options?: EnqueueOptions) => unknown;

/**
 * Queues what the last run left unfinished: each unhandled outbox message once (duplicates are
 * marked handled with it), then a handover for every unfinished job no message covers (its
 * message was handled, e.g. a run that gave up, or written before outbox items were marked).
 * Every job resumes from its committed state, so running one again never repeats an effect.
 */
export async function resumeUnfinishedWork(
  table: TableRef,
  enqueue: Enqueue,
  clock: () => Date = () => new Date(),
): Promise<{ messages: number; jobs: number }> {
  const { outbox, jobIds } = await findUnfinishedWork(table);
  const groups = new Map<string, { message: OutboxMessage; ids: string[] }>();
  for (const { id, message } of outbox) {
    const key = workKey(message);
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { message, ids: [id] });
  }
  for (const { message, ids } of groups.values()) {
    enqueue(message, { onHandled: async () => void (await Promise.all(ids.map((id) => markOutboxHandled(table, id, clock())))) });
  }
  let jobs = 0;
  for (const jobId of jobIds) {
    const message: OutboxMessage = { type: 'handover', jobId };
    if (groups.has(workKey(message))) continue;
    enqueue(message);
    jobs++;
  }
  if (groups.size + jobs > 0) logger.info('resumed unfinished work', { messages: groups.size, outboxItems: outbox.length, jobs });
  return { messages: groups.size, jobs };
}
