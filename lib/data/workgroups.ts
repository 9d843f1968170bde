import { normalizeWorkgroupName, type Workgroup } from '../domain/workgroup';
import type { TableRef } from './client';
import { queryPartition, type Page } from './pagination';

/** Workgroups and the claims on their names. */
export const workgroupKeys = {
  /** Workgroups share one partition: few items, listed together. */
  workgroup: (id: string) => ({ pk: 'WORKGROUPS', sk: `WORKGROUP#${id}` }),
  workgroupsPrefix: () => ({ pk: 'WORKGROUPS', skPrefix: 'WORKGROUP#' }),
  workgroupName: (normalisedName: string) => ({ pk: `WGNAME#${normalisedName}`, sk: 'CLAIM' }),
};

function itemToWorkgroup(item: Record<string, unknown>): Workgroup {
  return { id: String(item.id), name: String(item.name), extranet: item.extranet === true, createdAt: String(item.createdAt) };
}

/** Access pattern: all workgroups, oldest first (ids are ULIDs), with a cursor. */
export async function listWorkgroups(table: TableRef, limit: number, cursor?: string): Promise<Page<Workgroup>> {
  const page = await queryPartition(table, { ...workgroupKeys.workgroupsPrefix(), limit, cursor });
  return { items: page.items.map(itemToWorkgroup), nextCursor: page.nextCursor };
}

export function workgroupToItem(workgroup: Workgroup) {
  return { ...workgroupKeys.workgroup(workgroup.id), entity: 'workgroup', ...workgroup };
}

/** The claim on a workgroup's normalised name: no two workgroups share one. */
export function workgroupNameClaimItem(workgroup: Workgroup) {
  return { ...workgroupKeys.workgroupName(normalizeWorkgroupName(workgroup.name)), entity: 'workgroupNameClaim', workgroupId: workgroup.id };
}
