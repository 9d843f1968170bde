import { toAuditEntry, type AuditEntry, type AuditRecord } from '../domain/audit';
import type { TableRef } from './client';
import { keys } from './keys';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';

/** Access pattern: a user's audit trail, newest first (audit ids are ULIDs, so sk order is time order). */
export async function listAudit(table: TableRef, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const page = await queryPartition(table, { ...keys.auditPrefix(userId), limit, cursor, newestFirst: true });
  return { items: page.items.map((item) => toAuditEntry(itemToAudit(item))), nextCursor: page.nextCursor };
}

function itemToAudit(item: Record<string, unknown>): AuditRecord {
  return {
    id: String(item.id),
    subject: { kind: item.subjectKind as AuditRecord['subject']['kind'], id: String(item.subjectId) },
    actorId: (item.actorId as string | null) ?? null,
    action: String(item.action),
    before: (item.before as AuditRecord['before']) ?? null,
    after: (item.after as AuditRecord['after']) ?? null,
    at: String(item.at),
  };
}

/** An audit entry, in the one shape every subject (user, work item, workgroup) shares, next to its subject. */
export function auditPut(record: AuditRecord): TxOp {
  const { subject, ...entry } = record;
  return { item: { Put: { Item: { ...keys.audit(subject, record.id), entity: 'audit', subjectKind: subject.kind, subjectId: subject.id, ...entry } } } };
}
