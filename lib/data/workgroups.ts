import { WorkgroupNameInUse, type DomainError } from '../domain/errors';
import { normalizeWorkgroupName, type Workgroup } from '../domain/workgroup';
import type { TableRef } from './client';
import { newId } from './ids';
import { keys } from './keys';
import { queryPartition, type Page } from './pagination';
import { transactWrite, type TxOp } from './transaction';
import { activeAdminGuard } from './users';

function itemToWorkgroup(item: Record<string, unknown>): Workgroup {
  return { id: String(item.id), name: String(item.name), extranet: item.extranet === true, createdAt: String(item.createdAt) };
}

/**
 * Creates a workgroup in one transaction: the actor is still an active admin, the workgroup, a
 * claim on its normalised name (so two workgroups never share a name) and its audit entry.
 */
export async function insertWorkgroup(table: TableRef, workgroup: Workgroup, actorId: string): Promise<void> {
  const name = normalizeWorkgroupName(workgroup.name);
  const entryId = newId();
  await transactWrite(table, [
    activeAdminGuard(actorId),
    { item: { Put: { Item: { ...keys.workgroup(workgroup.id), entity: 'workgroup', ...workgroup }, ConditionExpression: 'attribute_not_exists(pk)' } } },
    {
      item: { Put: { Item: { ...keys.workgroupName(name), entity: 'workgroupNameClaim', workgroupId: workgroup.id }, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: (old) => new WorkgroupNameInUse(workgroup.name, String(old?.workgroupId ?? 'unknown')),
    },
    {
      item: {
        Put: {
          Item: { ...keys.workgroupAudit(workgroup.id, entryId), entity: 'audit', id: entryId, workgroupId: workgroup.id, actorId, action: 'workgroup.created', before: null, after: workgroup, at: workgroup.createdAt },
        },
      },
    },
  ]);
}

/** Access pattern: all workgroups, oldest first (ids are ULIDs), with a cursor. */
export async function listWorkgroups(table: TableRef, limit: number, cursor?: string): Promise<Page<Workgroup>> {
  const page = await queryPartition(table, { ...keys.workgroupsPrefix(), limit, cursor });
  return { items: page.items.map(itemToWorkgroup), nextCursor: page.nextCursor };
}

export type WorkgroupGuardErrors = { missing: (id: string) => DomainError; notExtranet: (id: string) => DomainError };

/**
 * A transaction guard: the workgroup exists (and is an extranet one, for extranet members) at the
 * moment the membership is written, not merely when we last looked.
 */
export function workgroupGuard(id: string, extranetOnly: boolean, errors: WorkgroupGuardErrors): TxOp {
  return {
    item: {
      ConditionCheck: {
        Key: keys.workgroup(id),
        ConditionExpression: extranetOnly ? 'attribute_exists(pk) AND extranet = :true' : 'attribute_exists(pk)',
        ...(extranetOnly ? { ExpressionAttributeValues: { ':true': true } } : {}),
      },
    },
    onConditionFailed: (old) => (old ? errors.notExtranet(id) : errors.missing(id)),
  };
}
