import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxMessage } from '../domain/follow-up';
import type { TableRef } from './client';
import { newId } from './ids';
import { type Item, batchPutItems } from './items';
import { OUTBOX_ENTITY, outboxIdOf, outboxKey } from './outbox-item';
import type { TxOp } from './transaction';

/** Long enough to inspect a relay outage after the fact; the stream itself keeps records 24 h. */
const RETENTION_DAYS = 7;

/**
 * Follow-up work (a handover job, an HR delivery to apply, a link to mail) written in the same
 * transaction as the change that asks for it. The table's stream hands every new outbox item to
 * the relay function, which queues it on SQS: a change and its follow-up commit together or not at
 * all, and a queue or mail outage cannot lose work or fail the request. Locally, where there is no
 * stream, the server marks an item `handledAt` once its message was handled and runs the unmarked
 * ones again at its next start (lib/local/recovery.ts).
 */
export function outboxPut(message: OutboxMessage, at: Date): TxOp {
  return {
    item: {
      Put: {
        Item: {
          ...outboxKey(newId()),
          entity: OUTBOX_ENTITY,
          message,
          createdAt: at.toISOString(),
          expiresAtEpoch: Math.floor(at.getTime() / 1000) + RETENTION_DAYS * 86_400,
        },
      },
    },
  };
}

/** Queues follow-up work on its own, when there is no other write to join. */
export async function queueFollowUp(table: TableRef, message: OutboxMessage, at: Date): Promise<void> {
  const put = outboxPut(message, at).item.Put!;
  await table.client.send(new PutCommand({ ...put, TableName: table.name }));
  table.relay?.([message], [outboxIdOf(put.Item!.pk as string)]);
}

/** Queues several follow-ups on their own in one BatchWriteItem per 25 (outbox items are new keys: nothing to condition on). */
export async function queueFollowUps(table: TableRef, messages: OutboxMessage[], at: Date): Promise<void> {
  if (messages.length === 0) return;
  const items = messages.map((message) => outboxPut(message, at).item.Put!.Item as Item);
  await batchPutItems(table, items);
  table.relay?.(
    messages,
    items.map((item) => outboxIdOf(item.pk)),
  );
}
