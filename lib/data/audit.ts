import type { AuditEntry } from '../domain/audit';
import type { TableRef } from './client';
import { keys } from './keys';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';

/** Access pattern: a user's audit trail, newest first (audit ids are ULIDs, so sk order is time order). */
export async function listAudit(table: TableRef, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const page = await queryPartition(table, { ...keys.auditPrefix(userId), limit, cursor, newestFirst: true });
  const items = page.items.map(
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
  return { items, nextCursor: page.nextCursor };
}

/** The audit entry of a change, to write in the change's own transaction. */
export function auditPut(entry: AuditEntry): TxOp {
  return { item: { Put: { Item: { ...keys.audit(entry.userId, entry.id), entity: 'audit', ...entry } } } };
}
