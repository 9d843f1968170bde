import type { createWorkSchema, listWorkQuerySchema } from '../domain/commands';
import { NotFound } from '../domain/errors';
import { closeWork as closeWorkChange, createWork as createWorkChange } from '../domain/tasks';
import type { WorkCounts, WorkItem, WorkKind } from '../domain/work';
import type { z } from '../zod';
import { commit } from '../data/commit';
import { assertAdmin } from '../domain/admins';
import type { Page } from '../data/pagination';
import { getUserAndWork, countOpenWork, listWorkByResponsible } from '../data/work';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin, retryOnStale } from './steps';

/** Creates an open task or CRM activity for a current (not dismissed) user, checked as it commits. */
export async function createWork(deps: Deps, actorId: string, kind: WorkKind, input: z.output<typeof createWorkSchema>): Promise<WorkItem> {
  await readAsAdmin(deps, actorId);
  const { work, change } = createWorkChange(kind, input, contextOf(deps, actorId, 'admin'));
  await commit(deps.table, change);
  return work;
}

/** Closes open work; the admin and the item are read together, the close is conditional. */
export async function closeWork(deps: Deps, actorId: string, kind: WorkKind, id: string): Promise<WorkItem> {
  return retryOnStale(async () => {
    const { actor, work } = await getUserAndWork(deps.table, actorId, id);
    assertAdmin(actor);
    if (!work || work.kind !== kind) throw new NotFound(kind, id);
    const { work: closed, change } = closeWorkChange(work, contextOf(deps, actorId, 'admin'));
    await commit(deps.table, change);
    return closed;
  });
}

export async function listWork(deps: Deps, actorId: string, kind: WorkKind, query: z.output<typeof listWorkQuerySchema>): Promise<Page<WorkItem>> {
  await readAsAdmin(deps, actorId);
  return listWorkByResponsible(deps.table, { userId: query.responsibleId, kind, state: query.state, limit: query.limit, cursor: query.cursor });
}

/** How much open work a user holds: what a dismissal with a delegate would hand over. */
export async function workCounts(deps: Deps, actorId: string, userId: string): Promise<WorkCounts> {
  const { user } = await readAsAdmin(deps, actorId, { userIds: [userId] });
  user(userId);
  const [openTasks, openActivities] = await Promise.all([countOpenWork(deps.table, userId, 'task'), countOpenWork(deps.table, userId, 'activity')]);
  return { openTasks, openActivities };
}
