import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit';
import type { TableRef } from './client';
import { keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

/** Access pattern: a user's audit trail, newest first (audit ids are ULIDs, so sk order is time order). */
export async function listAudit(table: TableRef, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const { pk, skPrefix } = keys.auditPrefix(userId);
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk'], { pk }),
    }),
  );
  const items = (Items ?? []).map(
    (item): AuditEntry => ({
      id: String(item.id),
      userId: String(item.userId),
      actorId: (item.actorId as string | null) ?? null,
      action: String(item.action),
      before: (item.before as AuditEntry['before']) ?? null,
      after: (item.after as AuditEntry['after']) ?? null,
      at: String(item.at),
    }),
  );
  return { items, nextCursor: encodeCursor(LastEvaluatedKey) };
}
