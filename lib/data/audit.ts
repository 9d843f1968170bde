import { toAuditEntry, type AuditEntry, type AuditRecord } from '../domain/audit';
import type { TableRef } from './client';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';

const AUDIT_PARTITION = { user: 'USER', work: 'WORK', workgroup: 'WORKGROUP', subscription: 'EVENTSUB', connector: 'CONNECTOR' } as const;

/** Audit entries, in their subject's partition. */
export const auditKeys = {
  /** An audit entry, in its subject's partition: a user's, a work item's or a workgroup's trail. */
  audit: (subject: { kind: keyof typeof AUDIT_PARTITION; id: string }, entryId: string) => ({
    pk: `${AUDIT_PARTITION[subject.kind]}#${subject.id}`,
    sk: `AUDIT#${entryId}`,
  }),
  auditPrefix: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'AUDIT#' }),
};

/** Access pattern: a user's audit trail, newest first (audit ids are ULIDs, so sk order is time order). */
export async function listAudit(table: TableRef, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const page = await queryPartition(table, { ...auditKeys.auditPrefix(userId), limit, cursor, newestFirst: true });
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
  return { item: { Put: { Item: { ...auditKeys.audit(subject, record.id), entity: 'audit', subjectKind: subject.kind, subjectId: subject.id, ...entry } } } };
}
