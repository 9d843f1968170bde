import { InvalidState } from '../domain/errors';
import type { User } from '../domain/user';
import type { TxOp } from '../data/transaction';
import { commitUserChanges, type UserChange } from '../data/user-changes';
import type { Deps } from '../runtime';
import { loadAsAdmin } from './authorize';
import { retryOnStale } from './retry';

export type Decision = UserChange & { extraOps?: TxOp[] };

/**
 * The shape of most admin operations on one user:
 * 1. read the acting admin and the target in one request;
 * 2. decide the change from the target's current state (throw to refuse, undefined for no-op);
 * 3. commit it in one transaction guarded by the target's version;
 * 4. if the target changed meanwhile, start over and decide again.
 */
export async function changeUser(
  deps: Deps,
  actorId: string,
  id: string,
  decide: (user: User, context: { now: Date; actor: User }) => Decision | undefined,
): Promise<User> {
  return retryOnStale(async () => {
    const { actor, user } = await loadAsAdmin(deps, actorId, [id]);
    const now = deps.clock();
    assertNotSwept(user(id));
    const decision = decide(user(id), { now, actor });
    if (!decision) return user(id);
    const { extraOps, ...change } = decision;
    const [changed] = await commitUserChanges(deps.table, { actorId, asAdmin: true, at: now, changes: [change], ...(extraOps ? { extraOps } : {}) });
    return changed!;
  });
}

/** An anonymised account stays anonymised: nothing may give it personal data or addresses again. */
export function assertNotSwept(user: User): void {
  if (user.sweptAt) throw new InvalidState(`User ${user.id} was anonymised by cleanup on ${user.sweptAt}; it cannot be changed`);
}
