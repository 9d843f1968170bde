import type { z } from '../zod';
import type { createWorkSchema, listWorkQuerySchema } from '../domain/commands';
import { NotFound } from '../domain/errors';
import type { WorkCounts, WorkItem, WorkKind } from '../domain/work';
import { newId } from '../data/ids';
import type { Page } from '../data/pagination';
import { batchGetItems, itemId } from '../data/items';
import { keys } from '../data/keys';
import { itemToUser } from '../data/users';
import { closeWorkItem, countOpenWork, insertWork, itemToWork, listWorkByResponsible } from '../data/work';
import type { Deps } from '../runtime';
import { assertAdmin, loadAsAdmin, requireAdmin } from './authorize';
import { retryOnStale } from './retry';

/** Creates an open task or CRM activity for a current user (see insertWork for the guards). */
export async function createWork(deps: Deps, actorId: string, kind: WorkKind, input: z.output<typeof createWorkSchema>): Promise<WorkItem> {
  await requireAdmin(deps, actorId);
  const at = deps.clock().toISOString();
  const work: WorkItem = { id: newId(), kind, title: input.title, responsibleId: input.responsibleId, state: 'open', createdAt: at, updatedAt: at };
  await insertWork(deps.table, work, actorId);
  return work;
}

/** Closes open work; the admin and the item are read together, the close is conditional. */
export async function closeWork(deps: Deps, actorId: string, kind: WorkKind, id: string): Promise<WorkItem> {
  return retryOnStale(async () => {
    const items = await batchGetItems(deps.table, [keys.user(actorId), keys.work(id)]);
    const actor = items.get(itemId(keys.user(actorId)));
    assertAdmin(actor ? itemToUser(actor) : undefined);
    const found = items.get(itemId(keys.work(id)));
    const work = found ? itemToWork(found) : undefined;
    if (!work || work.kind !== kind) throw new NotFound(kind, id);
    return closeWorkItem(deps.table, work, actorId, deps.clock().toISOString());
  });
}

export async function listWork(deps: Deps, actorId: string, kind: WorkKind, query: z.output<typeof listWorkQuerySchema>): Promise<Page<WorkItem>> {
  await requireAdmin(deps, actorId);
  return listWorkByResponsible(deps.table, { userId: query.responsibleId, kind, state: query.state, limit: query.limit, cursor: query.cursor });
}

/** How much open work a user holds: what a dismissal with a delegate would hand over. */
export async function workCounts(deps: Deps, actorId: string, userId: string): Promise<WorkCounts> {
  const { user } = await loadAsAdmin(deps, actorId, [userId]);
  user(userId);
  const [openTasks, openActivities] = await Promise.all([countOpenWork(deps.table, userId, 'task'), countOpenWork(deps.table, userId, 'activity')]);
  return { openTasks, openActivities };
}
