import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HrEvent, ParsedEntry } from '../domain/hr-events';
import type { JobMessage } from '../domain/follow-up';
import type { TableRef } from './client';
import { queueFollowUp, outboxPut } from './outbox';
import { decodeCursor, encodeCursor, queryPartition, type Page } from './pagination';
import { ConditionsFailed, StaleWrite, transactWrite, type TxOp } from './transaction';

/** HR deliveries and their events. */
export const deliveryKeys = {
  /** The first sight of a provider's delivery id: its existence is the replay guard. */
  delivery: (provider: string, deliveryId: string) => ({ pk: `HRDELIVERY#${provider}#${deliveryId}`, sk: 'DELIVERY' }),
  deliveryEvent: (provider: string, deliveryId: string, index: number) => ({
    pk: `HRDELIVERY#${provider}#${deliveryId}`,
    sk: `EVENT#${String(index).padStart(3, '0')}`,
  }),
};

export type DeliveryStatus = 'received' | 'applied' | 'ignored' | 'failed';

/** One event of an HR delivery, with its own outcome: applied exactly once, or kept with the reason. */
export type DeliveryEvent = {
  provider: string;
  deliveryId: string;
  index: number;
  sourceType: string;
  status: DeliveryStatus;
  event: HrEvent | null;
  reason: string | null;
  code: string | null;
  receivedAt: string;
  finishedAt: string | null;
};

export class DuplicateDelivery extends Error {}
/** Another run already settled this event: nothing to do. */
export class EventAlreadySettled extends Error {}

const indexAttributes = (e: Pick<DeliveryEvent, 'status' | 'receivedAt' | 'provider' | 'deliveryId' | 'index'>) => ({
  gsi5pk: `HRDELIVERY#${e.status}`,
  gsi5sk: `${e.receivedAt}#${e.provider}#${e.deliveryId}#${String(e.index).padStart(3, '0')}`,
});

function itemToEvent(item: Record<string, unknown>): DeliveryEvent {
  return {
    provider: String(item.provider),
    deliveryId: String(item.deliveryId),
    index: Number(item.index),
    sourceType: String(item.sourceType),
    status: item.status as DeliveryStatus,
    event: (item.event as HrEvent | undefined) ?? null,
    reason: (item.reason as string | null) ?? null,
    code: (item.code as string | null) ?? null,
    receivedAt: String(item.receivedAt),
    finishedAt: (item.finishedAt as string | null) ?? null,
  };
}

// 100 actions per transaction: the delivery marker, the outbox item and 98 rows.
const ROWS_PER_TRANSACTION = 98;
/** How long settled delivery rows (and the replay marker) are kept before DynamoDB's TTL removes them. */
export const DELIVERY_RETENTION_DAYS = 90;
/**
 * The oldest delivery accepted, by its signed time (lib/use-cases/hr-webhooks.ts). Well inside the
 * retention: a delivery is recorded no earlier than it was signed, so its replay marker lives for
 * at least DELIVERY_RETENTION_DAYS after that, and any replay old enough to find it gone is refused.
 * A month covers every provider's retries and a manual re-send after an outage.
 */
export const MAX_DELIVERY_AGE_DAYS = 30;
const expiresEpoch = (from: string) => Math.floor(Date.parse(from) / 1000) + DELIVERY_RETENTION_DAYS * 86_400;

/**
 * Durably records a verified delivery and queues its application (`followUp`, through the outbox)
 * if any event waits. The first transaction writes the delivery marker (absent, or this is a
 * replay: DuplicateDelivery) with up to 98 event rows and the outbox item; larger batches add the
 * rest in further transactions, mark the delivery complete and only then queue it. Rows are only ever
 * created, never overwritten, so a replay or a concurrent duplicate cannot reset a settled event,
 * and a recording cut off half-way is finished by the next delivery of the same id.
 */
export async function recordDelivery(
  table: TableRef,
  provider: string,
  deliveryId: string,
  entries: ParsedEntry[],
  received: Date,
  followUp: JobMessage,
): Promise<DeliveryEvent[]> {
  const receivedAt = received.toISOString();
  const events = toDeliveryEvents(provider, deliveryId, entries, receivedAt);
  const complete = events.length <= ROWS_PER_TRANSACTION;
  const waiting = events.some((e) => e.status === 'received');
  await transactWrite(table, [
    {
      item: {
        Put: {
          Item: {
            ...deliveryKeys.delivery(provider, deliveryId),
            entity: 'hrDelivery',
            provider,
            deliveryId,
            receivedAt,
            events: events.length,
            complete,
            expiresAtEpoch: expiresEpoch(receivedAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: (old) => new DuplicateDelivery(old?.complete === false ? 'incomplete' : 'complete'),
    },
    ...events.slice(0, ROWS_PER_TRANSACTION).map(rowPut),
    ...(complete && waiting ? [outboxPut(followUp, received)] : []),
  ]);
  if (!complete) {
    await finishRecording(table, provider, deliveryId, events);
    if (waiting) await queueFollowUp(table, followUp, received);
  }
  return events;
}

export function toDeliveryEvents(provider: string, deliveryId: string, entries: ParsedEntry[], receivedAt: string): DeliveryEvent[] {
  return entries.map((entry, index) => ({
    provider,
    deliveryId,
    index,
    sourceType: entry.sourceType,
    status: 'event' in entry ? 'received' : 'ignored',
    event: 'event' in entry ? entry.event : null,
    reason: 'ignored' in entry ? entry.ignored : null,
    code: null,
    receivedAt,
    finishedAt: 'event' in entry ? null : receivedAt,
  }));
}

/** Writes the event rows that are missing (never overwriting one) and marks the delivery complete. */
export async function finishRecording(table: TableRef, provider: string, deliveryId: string, events: DeliveryEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += ROWS_PER_TRANSACTION) {
    try {
      await transactWrite(table, events.slice(start, start + ROWS_PER_TRANSACTION).map(rowPut), { allFailures: true });
    } catch (error) {
      // Some rows were there already: write the others one by one.
      if (!(error instanceof ConditionsFailed)) throw error;
      for (const e of events.slice(start, start + ROWS_PER_TRANSACTION)) {
        await transactWrite(table, [rowPut(e)]).catch((rowError: unknown) => {
          if (!(rowError instanceof StaleWrite)) throw rowError;
        });
      }
    }
  }
  await table.client.send(
    new UpdateCommand({
      TableName: table.name,
      Key: deliveryKeys.delivery(provider, deliveryId),
      UpdateExpression: 'SET complete = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

function rowPut(e: DeliveryEvent): TxOp {
  const expiry = e.status === 'ignored' ? { expiresAtEpoch: expiresEpoch(e.receivedAt) } : {};
  return {
    item: {
      Put: {
        Item: { ...deliveryKeys.deliveryEvent(e.provider, e.deliveryId, e.index), entity: 'hrDeliveryEvent', ...e, ...indexAttributes(e), ...expiry },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    onConditionFailed: () => new StaleWrite(`delivery event ${e.index}`),
  };
}

/** Access pattern: the events of one delivery, in order. */
export async function listDeliveryEvents(table: TableRef, provider: string, deliveryId: string): Promise<DeliveryEvent[]> {
  const events: DeliveryEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPartition(table, { pk: deliveryKeys.delivery(provider, deliveryId).pk, skPrefix: 'EVENT#', limit: 100, cursor });
    events.push(...page.items.map(itemToEvent));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Sort keys pad the index to three digits, so from event 1000 on the key order is not the
  // event order (EVENT#1000 sorts before EVENT#101); the order matters (an employee's address
  // change is applied before their termination), so it is restored here.
  return events.sort((a, b) => a.index - b.index);
}

/** Settles an event on its own (nothing else changes): failed or ignored, only from `received`. */
export async function settleEventAlone(
  table: TableRef,
  e: DeliveryEvent,
  outcome: { status: 'ignored' | 'failed'; reason: string; code: string | null },
  at: string,
): Promise<void> {
  try {
    await transactWrite(table, [settleEvent(e, outcome, at)]);
  } catch (error) {
    if (!(error instanceof EventAlreadySettled)) throw error;
  }
}

/** Settles an event, only from `received`: the guard that makes applying it happen exactly once. */
export function settleEvent(
  e: DeliveryEvent,
  outcome: { status: Exclude<DeliveryStatus, 'received'>; reason?: string | null; code?: string | null },
  at: string,
): TxOp {
  const next = { ...e, status: outcome.status };
  const { gsi5pk, gsi5sk } = indexAttributes(next);
  // Settled events (and the personal data in them) expire; failed ones stay until handled.
  const set = 'SET #status = :status, reason = :reason, code = :code, finishedAt = :at, gsi5pk = :gpk, gsi5sk = :gsk';
  return {
    item: {
      Update: {
        Key: deliveryKeys.deliveryEvent(e.provider, e.deliveryId, e.index),
        UpdateExpression: outcome.status === 'failed' ? `${set} REMOVE expiresAtEpoch` : `${set}, expiresAtEpoch = :expires`,
        ConditionExpression: '#status = :received',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':reason': outcome.reason ?? null,
          ':code': outcome.code ?? null,
          ':at': at,
          ':gpk': gsi5pk,
          ':gsk': gsi5sk,
          ':received': 'received',
          ...(outcome.status === 'failed' ? {} : { ':expires': expiresEpoch(at) }),
        },
      },
    },
    onConditionFailed: () => new EventAlreadySettled(),
  };
}

/** Puts failed events of a delivery back to `received`, so the worker applies them again. */
export async function reopenFailedEvents(table: TableRef, provider: string, deliveryId: string): Promise<number> {
  const failed = (await listDeliveryEvents(table, provider, deliveryId)).filter((e) => e.status === 'failed');
  if (failed.length === 0) return 0;
  await transactWrite(
    table,
    failed.map((e): TxOp => {
      const { gsi5pk, gsi5sk } = indexAttributes({ ...e, status: 'received' });
      return {
        item: {
          Update: {
            Key: deliveryKeys.deliveryEvent(provider, deliveryId, e.index),
            UpdateExpression: 'SET #status = :received, reason = :null, code = :null, finishedAt = :null, gsi5pk = :gpk, gsi5sk = :gsk',
            ConditionExpression: '#status = :failed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':received': 'received', ':failed': 'failed', ':null': null, ':gpk': gsi5pk, ':gsk': gsi5sk },
          },
        },
      };
    }),
  );
  return failed.length;
}

/** Access pattern: delivery events in one status, oldest first, on index deliveriesByStatus. */
export async function listEventsByStatus(table: TableRef, status: DeliveryStatus, limit: number, cursor?: string): Promise<Page<DeliveryEvent>> {
  const gsi5pk = `HRDELIVERY#${status}`;
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'deliveriesByStatus',
      KeyConditionExpression: 'gsi5pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi5pk },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', 'gsi5pk', 'gsi5sk'], { gsi5pk }),
    }),
  );
  return { items: (Items ?? []).map(itemToEvent), nextCursor: encodeCursor(LastEvaluatedKey) };
}
