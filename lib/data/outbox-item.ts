import type { OutboxMessage } from '../domain/follow-up';

/**
 * Marks outbox items; the stream's event filter (infra) and the relay match on it. A module of
 * its own so the relay, which never touches the table, does not bundle the DynamoDB client.
 */
export const OUTBOX_ENTITY = 'outbox';

const OUTBOX_PREFIX = 'OUTBOX#';

/** An outbox item's key (its own partition, so busy periods never heat one key). */
export function outboxKey(id: string) {
  return { pk: `${OUTBOX_PREFIX}${id}`, sk: 'OUTBOX' };
}

/** An outbox item's id, from its partition key (`OUTBOX#<id>`). */
export function outboxIdOf(pk: string): string {
  return pk.slice(OUTBOX_PREFIX.length);
}

/**
 * The outbox messages among a transaction's items, with their items' ids (for the local stand-in
 * of the stream).
 */
export function outboxEntries(items: { Put?: { Item?: Record<string, unknown> } }[]): { id: string; message: OutboxMessage }[] {
  return items.flatMap((item) =>
    item.Put?.Item?.entity === OUTBOX_ENTITY ? [{ id: outboxIdOf(item.Put.Item.pk as string), message: item.Put.Item.message as OutboxMessage }] : [],
  );
}
