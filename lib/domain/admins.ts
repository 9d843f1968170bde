import { changeOf, type Change, type Context } from './change';
import { Forbidden, InvalidState } from './errors';
import { blankUserFields, type User } from './user';

/**
 * Rule 10: admin rights live in the directory. Only an active admin acts as one; the directory
 * always keeps at least one active admin, which the commit enforces with a counter every change
 * moves (see lib/data/commit.ts), whatever triggered the change.
 */

/** Counts towards "at least one active admin". */
export function isActiveAdmin(user: Pick<User, 'status' | 'isAdmin'> | null | undefined): boolean {
  return !!user && user.status === 'active' && user.isAdmin;
}

/** The acting user may act as an admin: an active user flagged admin, read consistently. */
export function assertAdmin(actor: User | undefined): User {
  if (!isActiveAdmin(actor)) throw new Forbidden();
  return actor!;
}

/**
 * Grants or revokes admin rights; undefined when already so. Admins cannot revoke themselves, and
 * only active users become admins.
 */
export function setAdmin(user: User, isAdmin: boolean, context: Context): Change | undefined {
  if (user.isAdmin === isAdmin) return undefined;
  if (!isAdmin && user.id === context.actorId) throw new InvalidState('You cannot revoke your own admin rights; ask another admin');
  if (isAdmin && user.status !== 'active') throw new InvalidState(`User ${user.id} is ${user.status}; only active users can become admins`);
  return changeOf(context, [{ before: user, after: { ...user, isAdmin }, action: isAdmin ? 'user.admin_granted' : 'user.admin_revoked' }]);
}

/** The first admin of a new directory. */
export function bootstrapAdmin(email: string, context: Context): Change {
  const at = context.now.toISOString();
  const admin: User = {
    ...blankUserFields,
    id: context.newId(),
    type: 'employee',
    status: 'active',
    loginEmail: email,
    firstName: 'Directory',
    lastName: 'Admin',
    isAdmin: true,
    createdAt: at,
    updatedAt: at,
  };
  return changeOf({ ...context, actorId: null }, [{ before: null, after: admin, action: 'user.bootstrapped_admin' }]);
}

/**
 * How a change moves the number of active admins, and who would stop being one: a negative
 * delta commits only if at least one active admin stays.
 */
export function activeAdminDelta(befores: (User | null)[], afters: User[]): { delta: number; leaving: string[] } {
  let delta = 0;
  const leaving: string[] = [];
  afters.forEach((after, i) => {
    const was = isActiveAdmin(befores[i]);
    const will = isActiveAdmin(after);
    delta += Number(will) - Number(was);
    if (was && !will) leaving.push(after.id);
  });
  return { delta, leaving };
}
