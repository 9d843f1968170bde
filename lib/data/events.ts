import type { LifecycleEvent } from '../domain/events';
import type { TableRef } from './client';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';

/** Lifecycle events, in their user's partition, in sequence order (the sort key pads it). */
export const eventKeys = {
  event: (userId: string, sequence: number) => ({ pk: `USER#${userId}`, sk: `EVENT#${String(sequence).padStart(12, '0')}` }),
  eventPrefix: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'EVENT#' }),
};

/**
 * An event, put in the transaction of its change. One per user and sequence: a second commit
 * claiming the same sequence cannot happen (the user's version guard), and this condition says so
 * in the data too.
 */
export function eventPut(event: LifecycleEvent): TxOp {
  return {
    item: {
      Put: {
        Item: { ...eventKeys.event(event.data.userId, event.data.sequence), entity: 'event', eventId: event.id, type: event.type, event },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** Access pattern: a user's events in sequence order, oldest first. */
export async function listUserEvents(table: TableRef, userId: string, limit: number, cursor?: string): Promise<Page<LifecycleEvent>> {
  const page = await queryPartition(table, { ...eventKeys.eventPrefix(userId), limit, cursor });
  return { items: page.items.map((item) => item.event as LifecycleEvent), nextCursor: page.nextCursor };
}
