import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { OUTBOX_ENTITY } from '../data/outbox-item';
import { logger } from '../logger';
import { outboxMessageSchema, queueOf, type OutboxMessage, type QueueName } from './queue';

/** Where the relay puts messages: SQS in AWS. Returns the indexes that were not accepted. */
export interface BatchQueue {
  enqueueBatch(messages: OutboxMessage[]): Promise<number[]>;
}

/** SendMessageBatch's limit. */
const BATCH = 10;

/**
 * Moves new outbox items from the table's stream to their queues (jobs or mail, by message type),
 * in stream order: consecutive messages for the same queue go in one batch. When a batch is refused, that record and every later one are reported failed: Lambda retries the stream from
 * the first of them (bisecting, then the on-failure destination), so nothing is skipped. A retry
 * may queue a message twice; every job is idempotent (handover chunks are guarded by the job's
 * version, HR events settle exactly once), so a duplicate costs a read, never a second effect. A
 * duplicate mail message mails the link again, with a fresh token that replaces the first one.
 */
export async function relayOutbox(records: DynamoDBRecord[], queues: Record<QueueName, BatchQueue>): Promise<DynamoDBBatchResponse> {
  const pending: { sequence: string; message: OutboxMessage }[] = [];
  for (const record of records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    const image = record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as never) : undefined;
    if (record.eventName !== 'INSERT' || image?.entity !== OUTBOX_ENTITY) continue;
    const parsed = outboxMessageSchema.safeParse(image.message);
    if (!parsed.success) {
      // Written by this code base, so this is a bug; retrying cannot fix it.
      logger.error('malformed outbox item dropped', { pk: image.pk, sequence });
      continue;
    }
    pending.push({ sequence, message: parsed.data });
  }
  for (let start = 0; start < pending.length; ) {
    const queue = queueOf(pending[start]!.message);
    let end = start + 1;
    while (end < pending.length && end - start < BATCH && queueOf(pending[end]!.message) === queue) end++;
    const chunk = pending.slice(start, end);
    let refused: number[];
    try {
      refused = await queues[queue].enqueueBatch(chunk.map((entry) => entry.message));
    } catch (error) {
      logger.error('outbox relay failed', { queue, errorName: (error as Error)?.name, messages: chunk.length });
      refused = [0];
    }
    if (refused.length > 0) {
      const first = start + Math.min(...refused);
      logger.warn('outbox messages not queued; the stream will retry', { count: pending.length - first });
      return { batchItemFailures: pending.slice(first).map((entry) => ({ itemIdentifier: entry.sequence })) };
    }
    start = end;
  }
  logger.info('outbox relayed', { messages: pending.length });
  return { batchItemFailures: [] };
}
