import { createWorkgroupSchema } from '../domain/commands';
import { joinWorkgroup, leaveWorkgroup } from '../domain/extranet';
import type { User } from '../domain/user';
import { validate } from '../domain/validate';
import { createWorkgroup as createWorkgroupChange } from '../domain/extranet';
import type { Workgroup } from '../domain/workgroup';
import type { z } from '../zod';
import { commit } from '../data/commit';
import type { Page } from '../data/pagination';
import { listWorkgroups as queryWorkgroups } from '../data/workgroups';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin, retryOnStale } from './steps';

/** Creates a workgroup; its name is claimed in the same transaction (409 when taken). */
export async function createWorkgroup(deps: Deps, actorId: string, request: z.input<typeof createWorkgroupSchema>): Promise<Workgroup> {
  const command = validate(createWorkgroupSchema, request);
  await readAsAdmin(deps, actorId);
  const { workgroup, change } = createWorkgroupChange(command, contextOf(deps, actorId, 'admin'));
  await commit(deps.table, change);
  return workgroup;
}

export async function listWorkgroups(deps: Deps, actorId: string, limit: number, cursor?: string): Promise<Page<Workgroup>> {
  await readAsAdmin(deps, actorId);
  return queryWorkgroups(deps.table, limit, cursor);
}

async function changeMembership(deps: Deps, actorId: string, userId: string, decide: typeof joinWorkgroup, workgroupId: string): Promise<User> {
  return retryOnStale(async () => {
    const { user } = await readAsAdmin(deps, actorId, { userIds: [userId] });
    const change = decide(user(userId), workgroupId, contextOf(deps, actorId, 'admin'));
    if (!change) return user(userId);
    const [changed] = await commit(deps.table, change);
    return changed!;
  });
}

/** Adds a user to a workgroup (rule 3: the workgroup is checked as the membership commits); idempotent. */
export async function addWorkgroupMember(deps: Deps, actorId: string, workgroupId: string, userId: string): Promise<User> {
  return changeMembership(deps, actorId, userId, joinWorkgroup, workgroupId);
}

/** Removes a user from a workgroup; an extranet user keeps at least one. Idempotent. */
export async function removeWorkgroupMember(deps: Deps, actorId: string, workgroupId: string, userId: string): Promise<User> {
  return changeMembership(deps, actorId, userId, leaveWorkgroup, workgroupId);
}
