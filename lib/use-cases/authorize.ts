import { Forbidden, NotFound } from '../domain/errors';
import type { User } from '../domain/user';
import { getUser, getUsers } from '../data/users';
import type { Deps } from '../runtime';

/** Admin rights live in the directory (rule 10): an active user flagged admin, read consistently. */
export function assertAdmin(actor: User | undefined): User {
  if (!actor || actor.status !== 'active' || !actor.isAdmin) throw new Forbidden();
  return actor;
}

export async function requireAdmin(deps: Deps, actorId: string): Promise<User> {
  return assertAdmin(await getUser(deps.table, actorId));
}

/**
 * Loads the acting admin together with the users an operation touches, in ONE read request,
 * then checks the actor before anything about the targets is revealed.
 */
export async function loadAsAdmin(deps: Deps, actorId: string, userIds: string[]) {
  const found = await getUsers(deps.table, [actorId, ...userIds]);
  const actor = assertAdmin(found.get(actorId));
  const user = (id: string): User => {
    const target = found.get(id);
    if (!target) throw new NotFound('user', id);
    return target;
  };
  return { actor, user };
}
