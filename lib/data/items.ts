import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown> & Key;

/**
 * Reads any mix of items by key in one BatchGetItem (strongly consistent), retrying only what
 * DynamoDB left unprocessed. Use cases fetch everything a decision needs at once: the acting
 * admin, the target users, a claim, a pending token.
 */
export async function batchGetItems(table: TableRef, keys: Key[]): Promise<Map<string, Item>> {
  const unique = [...new Map(keys.map((key) => [itemId(key), key])).values()];
  const found = new Map<string, Item>();
  for (let start = 0; start < unique.length; start += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(start, start + 100);
    while (pending && pending.length > 0) {
      const response: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> } =
        await table.client.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of response.Responses?.[table.name] ?? []) found.set(itemId(item as Item), item as Item);
      pending = response.UnprocessedKeys?.[table.name]?.Keys;
    }
  }
  return found;
}

export function itemId(key: { pk: unknown; sk: unknown }): string {
  return `${String(key.pk)}|${String(key.sk)}`;
}
