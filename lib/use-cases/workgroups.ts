import type { z } from '../zod';
import { createWorkgroupSchema } from '../domain/commands';
import { validate } from '../domain/validate';
import { InvalidRequest, InvalidState, NotFound } from '../domain/errors';
import type { User } from '../domain/user';
import type { Workgroup } from '../domain/workgroup';
import { newId } from '../data/ids';
import type { Page } from '../data/pagination';
import { insertWorkgroup, listWorkgroups as queryWorkgroups, workgroupGuard, type WorkgroupGuardErrors } from '../data/workgroups';
import type { Deps } from '../runtime';
import { requireAdmin } from './authorize';
import { changeUser } from './change-user';

/** A user may be in at most this many workgroups (the list lives on the user item). */
export const MAX_WORKGROUPS_PER_USER = 100;

/** Guard errors when workgroup ids come in a request body: a 400 naming the field. */
export function workgroupFieldErrors(path: string): WorkgroupGuardErrors {
  return {
    missing: (id) => new InvalidRequest([{ path, message: `workgroup ${id} does not exist` }]),
    notExtranet: (id) => new InvalidRequest([{ path, message: `workgroup ${id} is not an extranet workgroup; extranet users may join only extranet workgroups` }]),
  };
}

/** Guard errors when the workgroup is the resource in the path: 404, or 409 for the wrong kind. */
const pathErrors: WorkgroupGuardErrors = {
  missing: (id) => new NotFound('workgroup', id),
  notExtranet: (id) => new InvalidState(`Workgroup ${id} is not an extranet workgroup; extranet users may join only extranet workgroups`),
};

export async function createWorkgroup(deps: Deps, actorId: string, request: z.input<typeof createWorkgroupSchema>): Promise<Workgroup> {
  const input = validate(createWorkgroupSchema, request, 'body');
  await requireAdmin(deps, actorId);
  const workgroup: Workgroup = { id: newId(), name: input.name, extranet: input.extranet, createdAt: deps.clock().toISOString() };
  await insertWorkgroup(deps.table, workgroup, actorId);
  return workgroup;
}

export async function listWorkgroups(deps: Deps, actorId: string, limit: number, cursor?: string): Promise<Page<Workgroup>> {
  await requireAdmin(deps, actorId);
  return queryWorkgroups(deps.table, limit, cursor);
}

/**
 * Adds a user to a workgroup. The transaction checks the workgroup exists (an extranet one for
 * extranet users) as it writes, so a concurrent change cannot slip an extranet user into an
 * intranet group. Adding an existing member changes nothing.
 */
export async function addWorkgroupMember(deps: Deps, actorId: string, workgroupId: string, userId: string): Promise<User> {
  return changeUser(deps, actorId, userId, (user) => {
    if (user.workgroupIds.includes(workgroupId)) return undefined;
    if (user.status === 'dismissed') throw new InvalidState(`User ${userId} is dismissed; rehire them before adding them to workgroups`);
    if (user.workgroupIds.length >= MAX_WORKGROUPS_PER_USER) throw new InvalidState(`User ${userId} is already in ${MAX_WORKGROUPS_PER_USER} workgroups`);
    return {
      before: user,
      after: { ...user, workgroupIds: [...user.workgroupIds, workgroupId] },
      action: 'user.workgroup_joined',
      details: { workgroupId },
      extraOps: [workgroupGuard(workgroupId, user.type === 'extranet', pathErrors)],
    };
  });
}

/** Removes a user from a workgroup; an extranet user keeps at least one (rule 3). */
export async function removeWorkgroupMember(deps: Deps, actorId: string, workgroupId: string, userId: string): Promise<User> {
  return changeUser(deps, actorId, userId, (user) => {
    if (!user.workgroupIds.includes(workgroupId)) return undefined;
    if (user.type === 'extranet' && user.workgroupIds.length === 1) {
      throw new InvalidState(`Workgroup ${workgroupId} is the last workgroup of extranet user ${userId}; extranet users belong to at least one`);
    }
    return {
      before: user,
      after: { ...user, workgroupIds: user.workgroupIds.filter((id) => id !== workgroupId) },
      action: 'user.workgroup_left',
      details: { workgroupId },
    };
  });
}
