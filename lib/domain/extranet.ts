import { changeOf, type Change, type Context } from './change';
import { InvalidRequest, InvalidState } from './errors';
import { assertNotSwept } from './cleanup';
import { blankUserFields, tombstoneLogin, type User } from './user';
import type { Workgroup } from './workgroup';

/**
 * Rules 3 and 8: employees and extranet users, workgroups, and the move of a leaver to extranet.
 * Extranet users belong only to extranet workgroups and always to at least one; whether a named
 * workgroup exists and is of the right kind is checked by the commit (`requireWorkgroup`), at the
 * moment the membership is written.
 */

/** A user may be in at most this many workgroups (the list lives on the user item). */
export const MAX_WORKGROUPS_PER_USER = 100;

/** A profile whose login moved to its extranet account cannot be rehired until it has a login again. */
export function assertNotMovedAway(user: User): void {
  if (user.loginEmail === tombstoneLogin(user.id)) {
    throw new InvalidState(`User ${user.id} moved to extranet account ${user.movedToUserId ?? 'unknown'} with their login; give this profile a login first`);
  }
}

/** Adds a user to a workgroup; undefined when they are already in it. */
export function joinWorkgroup(user: User, workgroupId: string, context: Context): Change | undefined {
  assertNotSwept(user);
  if (user.workgroupIds.includes(workgroupId)) return undefined;
  if (user.status === 'dismissed') throw new InvalidState(`User ${user.id} is dismissed; rehire them before adding them to workgroups`);
  if (user.workgroupIds.length >= MAX_WORKGROUPS_PER_USER) throw new InvalidState(`User ${user.id} is already in ${MAX_WORKGROUPS_PER_USER} workgroups`);
  return changeOf(
    context,
    [{ before: user, after: { ...user, workgroupIds: [...user.workgroupIds, workgroupId] }, action: 'user.workgroup_joined', details: { workgroupId } }],
    [{ type: 'requireWorkgroup', workgroupId, extranet: user.type === 'extranet', field: null }],
  );
}

/** Removes a user from a workgroup (an extranet user keeps at least one); undefined when not in it. */
export function leaveWorkgroup(user: User, workgroupId: string, context: Context): Change | undefined {
  assertNotSwept(user);
  if (!user.workgroupIds.includes(workgroupId)) return undefined;
  if (user.type === 'extranet' && user.workgroupIds.length === 1) {
    throw new InvalidState(`Workgroup ${workgroupId} is the last workgroup of extranet user ${user.id}; extranet users belong to at least one`);
  }
  return changeOf(context, [
    {
      before: user,
      after: { ...user, workgroupIds: user.workgroupIds.filter((id) => id !== workgroupId) },
      action: 'user.workgroup_left',
      details: { workgroupId },
    },
  ]);
}

export type MoveToExtranetCommand = { workgroupIds: string[]; loginEmail?: string | undefined; details?: Record<string, unknown> };

/**
 * Moves a leaving employee to extranet (rule 8): dismiss the employee and create an active
 * extranet account in the given extranet workgroups, linked both ways. With no `loginEmail` (or
 * their own), the login moves to the new account and the profile gets a non-routable tombstone
 * login; naming their contact address takes it off the profile; any other address is claimed by
 * the new account. A pending login change of the employee is dropped: it must not later give the
 * profile a login back.
 */
export function moveToExtranet(employee: User, command: MoveToExtranetCommand, context: Context): Change {
  if (context.actorId === employee.id) throw new InvalidState('You cannot move yourself to extranet; ask another admin');
  if (employee.type !== 'employee') throw new InvalidState(`User ${employee.id} is already an extranet user`);
  if (employee.status !== 'active') throw new InvalidState(`User ${employee.id} is ${employee.status}; only active employees can be moved to extranet`);
  const workgroupIds = [...new Set(command.workgroupIds)];
  if (workgroupIds.length === 0) throw new InvalidRequest([{ path: 'workgroupIds', message: 'name at least one extranet workgroup' }]);
  const now = context.now.toISOString();
  const extranetId = context.newId();
  const keepLogin = command.loginEmail === undefined || command.loginEmail === employee.loginEmail;
  const newLogin = keepLogin ? employee.loginEmail : command.loginEmail!;
  const contactMovesToo = employee.contactEmail === newLogin;
  const extranetUser: User = {
    ...blankUserFields,
    id: extranetId,
    type: 'extranet',
    status: 'active',
    loginEmail: newLogin,
    contactEmail: keepLogin && contactMovesToo ? newLogin : null,
    firstName: employee.firstName,
    lastName: employee.lastName,
    workgroupIds,
    movedFromUserId: employee.id,
    createdAt: now,
    updatedAt: now,
  };
  const dismissed: User = {
    ...employee,
    status: 'dismissed',
    isAdmin: false,
    dismissedAt: now,
    dismissalRecordedAt: now,
    movedToUserId: extranetId,
    scheduledDismissal: null,
    ...(keepLogin ? { loginEmail: tombstoneLogin(employee.id) } : {}),
    ...(contactMovesToo ? { contactEmail: null } : {}),
  };
  const details = { source: context.source, ...command.details };
  return changeOf(
    context,
    [
      { before: employee, after: dismissed, action: 'user.moved_to_extranet', details: { ...details, extranetUserId: extranetId, loginMoved: keepLogin } },
      { before: null, after: extranetUser, action: 'user.created_from_employee', details: { ...details, employeeId: employee.id } },
    ],
    [
      ...workgroupIds.map((workgroupId, i) => ({ type: 'requireWorkgroup' as const, workgroupId, extranet: true, field: `workgroupIds.${i}` })),
      { type: 'dropPending', kind: 'loginChange', userId: employee.id },
    ],
  );
}

/** Creates a workgroup; the commit claims its normalised name (409 when taken). */
export function createWorkgroup(command: { name: string; extranet: boolean }, context: Context): { workgroup: Workgroup; change: Change } {
  const workgroup: Workgroup = { id: context.newId(), name: command.name, extranet: command.extranet, createdAt: context.now.toISOString() };
  const change = changeOf(
    context,
    [],
    [
      { type: 'createWorkgroup', workgroup },
      { type: 'note', subject: { kind: 'workgroup', id: workgroup.id }, action: 'workgroup.created', details: workgroup },
    ],
  );
  return { workgroup, change };
}
