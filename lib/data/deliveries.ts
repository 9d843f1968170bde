import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HrEvent, ParsedEntry } from '../webhooks/events';
import type { TableRef } from './client';
import { keys } from './keys';
import { decodeCursor, encodeCursor, queryPartition, type Page } from './pagination';
import { transactWrite, type TxOp } from './transaction';

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

/**
 * Durably records a verified delivery in ONE transaction: the delivery marker (absent, or this is
 * a replay: DuplicateDelivery) and one row per event, `received` or already `ignored` with why.
 */
export async function recordDelivery(table: TableRef, provider: string, deliveryId: string, entries: ParsedEntry[], receivedAt: string): Promise<DeliveryEvent[]> {
  const events: DeliveryEvent[] = entries.map((entry, index) => ({
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
  await transactWrite(table, [
    {
      item: { Put: { Item: { ...keys.delivery(provider, deliveryId), entity: 'hrDelivery', provider, deliveryId, receivedAt, events: events.length }, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: () => new DuplicateDelivery(`${provider} delivery ${deliveryId} was already received`),
    },
    ...events.map((e): TxOp => ({ item: { Put: { Item: { ...keys.deliveryEvent(provider, deliveryId, e.index), entity: 'hrDeliveryEvent', ...e, ...indexAttributes(e) } } } })),
  ]);
  return events;
}

/** Access pattern: the events of one delivery, in order. */
export async function listDeliveryEvents(table: TableRef, provider: string, deliveryId: string): Promise<DeliveryEvent[]> {
  const page = await queryPartition(table, { pk: keys.delivery(provider, deliveryId).pk, skPrefix: 'EVENT#', limit: 100 });
  return page.items.map(itemToEvent);
}

/** Settles an event, only from `received`: the guard that makes applying it happen exactly once. */
export function settleEvent(e: DeliveryEvent, outcome: { status: Exclude<DeliveryStatus, 'received'>; reason?: string | null; code?: string | null }, at: string): TxOp {
  const next = { ...e, status: outcome.status };
  const { gsi5pk, gsi5sk } = indexAttributes(next);
  return {
    item: {
      Update: {
        Key: keys.deliveryEvent(e.provider, e.deliveryId, e.index),
        UpdateExpression: 'SET #status = :status, reason = :reason, code = :code, finishedAt = :at, gsi5pk = :gpk, gsi5sk = :gsk',
        ConditionExpression: '#status = :received',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': outcome.status, ':reason': outcome.reason ?? null, ':code': outcome.code ?? null, ':at': at, ':gpk': gsi5pk, ':gsk': gsi5sk, ':received': 'received' },
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
            Key: keys.deliveryEvent(provider, deliveryId, e.index),
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
