import { assertAdmin } from '../domain/admins';
import type { Context, Source } from '../domain/change';
import { Busy, NotFound } from '../domain/errors';
import type { User } from '../domain/user';
import { newId } from '../data/ids';
import { readForDecision, type DecisionRead } from '../data/reads';
import { StaleWrite } from '../data/transaction';
import type { Deps } from '../runtime';

/**
 * The few steps every use case shares: read, decide (lib/domain), commit (lib/data/commit), and
 * start over when the read went stale. No rules here.
 */

/** The moment a decision is taken. */
export function contextOf(deps: Pick<Deps, 'clock'>, actorId: string | null, source: Source): Context {
  return { now: deps.clock(), actorId, source, newId };
}

/**
 * Reads the acting admin together with what the decision needs (users, address claims), in ONE
 * request, then checks the actor before anything about the targets is revealed.
 */
export async function readAsAdmin(deps: Deps, actorId: string, want: { userIds?: string[]; addresses?: string[] } = {}) {
  const read = await readForDecision(deps.table, { userIds: [actorId, ...(want.userIds ?? [])], addresses: want.addresses ?? [] });
  const actor = assertAdmin(read.users.get(actorId));
  return { actor, ...read, user: (id: string) => existing(read, id) };
}

export function existing(read: Pick<DecisionRead, 'users'>, id: string): User {
  const user = read.users.get(id);
  if (!user) throw new NotFound('user', id);
  return user;
}

/**
 * Optimistic concurrency: when something changed between our read and our commit, read again and
 * re-decide (the new state may now be refused, e.g. already dismissed). Bounded, then 503.
 */
export async function retryOnStale<T>(operation: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof StaleWrite)) throw error;
      if (attempt >= attempts) throw new Busy();
    }
  }
}
