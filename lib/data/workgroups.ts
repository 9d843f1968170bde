import type { Workgroup } from '../domain/workgroup';
import type { TableRef } from './client';
import { keys } from './keys';
import { queryPartition, type Page } from './pagination';

function itemToWorkgroup(item: Record<string, unknown>): Workgroup {
  return { id: String(item.id), name: String(item.name), extranet: item.extranet === true, createdAt: String(item.createdAt) };
}

/** Access pattern: all workgroups, oldest first (ids are ULIDs), with a cursor. */
export async function listWorkgroups(table: TableRef, limit: number, cursor?: string): Promise<Page<Workgroup>> {
  const page = await queryPartition(table, { ...keys.workgroupsPrefix(), limit, cursor });
  return { items: page.items.map(itemToWorkgroup), nextCursor: page.nextCursor };
}
