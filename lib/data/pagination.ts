import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequest } from '../domain/errors';
import type { TableRef } from './client';

export type Page<T> = { items: T[]; nextCursor: string | null };
type Key = Record<string, string>;

/** Cursors are opaque to clients: base64url JSON of DynamoDB's LastEvaluatedKey. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : null;
}

/**
 * Decodes a cursor and checks it belongs to this query: exactly the expected key attributes, all
 * strings, the same partition, and a sort key inside the query's range. A forged or foreign
 * cursor is a 400, never a DynamoDB error.
 */
export function decodeCursor(
  cursor: string | undefined,
  expectedAttributes: string[],
  partition: Key,
  sortKey?: { name: string; prefix: string },
): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new InvalidRequest([{ path: 'cursor', message: 'cursor is invalid for this query' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid();
  const entries = Object.entries(decoded);
  const names = entries.map(([name]) => name).sort();
  if (names.join() !== [...expectedAttributes].sort().join()) throw invalid();
  if (!entries.every(([, value]) => typeof value === 'string' && value.length > 0 && value.length <= 2048)) throw invalid();
  const key = decoded as Key;
  if (!Object.entries(partition).every(([name, value]) => key[name] === value)) throw invalid();
  if (sortKey && !key[sortKey.name]!.startsWith(sortKey.prefix)) throw invalid();
  return key;
}

export type PartitionQuery = { pk: string; skPrefix: string; limit: number; cursor?: string | undefined; newestFirst?: boolean };

/** One page of the items in a partition whose sort key starts with a prefix (table keys only). */
export async function queryPartition(table: TableRef, query: PartitionQuery): Promise<Page<Record<string, unknown>>> {
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': query.pk, ':prefix': query.skPrefix },
      ScanIndexForward: !query.newestFirst,
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, ['pk', 'sk'], { pk: query.pk }, { name: 'sk', prefix: query.skPrefix }),
    }),
  );
  return { items: Items ?? [], nextCursor: encodeCursor(LastEvaluatedKey) };
}
