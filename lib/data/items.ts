import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
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
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < unique.length; start += 100) chunks.push(unique.slice(start, start + 100));
  // The chunks side by side: a round of a delivery run reads a few hundred keys at once.
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, unknown>[] | undefined = chunk;
      while (pending && pending.length > 0) {
        const response: {
          Responses?: Record<string, Record<string, unknown>[]>;
          UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
        } = await table.client.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of response.Responses?.[table.name] ?? []) found.set(itemId(item as Item), item as Item);
        pending = response.UnprocessedKeys?.[table.name]?.Keys;
      }
    }),
  );
  return found;
}

export function itemId(key: { pk: unknown; sk: unknown }): string {
  return `${String(key.pk)}|${String(key.sk)}`;
}

/**
 * Puts items 25 per BatchWriteItem, up to 8 requests at once (unconditional: only for items one
 * writer owns at a time), retrying what DynamoDB left unprocessed with a short, growing pause.
 */
export async function batchPutItems(table: TableRef, items: Item[]): Promise<void> {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, chunks.length) }, async () => {
      while (next < chunks.length) {
        let pending: Record<string, unknown>[] | undefined = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
        for (let round = 0; pending && pending.length > 0; round++) {
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** round)));
          const response: { UnprocessedItems?: Record<string, Record<string, unknown>[]> } = await table.client.send(
            new BatchWriteCommand({ RequestItems: { [table.name]: pending as never } }),
          );
          pending = response.UnprocessedItems?.[table.name];
        }
      }
    }),
  );
}
