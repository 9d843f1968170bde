import { EmailInUse, type EmailRole } from './errors';
import { addressesOf, rolesOf, type User } from './user';

/**
 * Rule 2: no two users share an address, in either role, whatever their status. The database
 * enforces it with one claim item per address, written in the same transaction as the users;
 * this decides which claims a change moves. The external ids HR systems know people by are
 * unique the same way.
 */
export type ClaimHolding = { userId: string; roles: EmailRole[] };
export type ClaimChange = { address: string; was: ClaimHolding | undefined; will: ClaimHolding | undefined };

/**
 * Who holds which address among some users. For the new states, two users holding one address
 * is refused: the 409 names whoever held it before the change (else the first claimant).
 */
function holdings(users: (User | null)[], previous?: Map<string, ClaimHolding>): Map<string, ClaimHolding> {
  const held = new Map<string, ClaimHolding>();
  for (const user of users) {
    if (!user) continue;
    for (const address of addressesOf(user)) {
      const other = held.get(address);
      if (other && other.userId !== user.id) {
        const holderId = previous?.get(address)?.userId ?? other.userId;
        const holder = users.find((u) => u?.id === holderId)!;
        throw new EmailInUse(address, rolesOf(holder, address), { id: holder.id, status: holder.status, type: holder.type });
      }
      held.set(address, { userId: user.id, roles: rolesOf(user, address) });
    }
  }
  return held;
}

/** The claims whose holder or roles a change moves: each is written only if still exactly `was`. */
export function addressClaimChanges(befores: (User | null)[], afters: User[]): ClaimChange[] {
  const before = holdings(befores);
  const after = holdings(afters, before);
  const changes: ClaimChange[] = [];
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(address);
    const will = after.get(address);
    if (was && will && was.userId === will.userId && was.roles.join() === will.roles.join()) continue;
    changes.push({ address, was, will });
  }
  return changes;
}

export type ExternalIdChange = { userId: string; was: string | null; will: string | null };

/** The external ids a change releases or claims. */
export function externalIdChanges(befores: (User | null)[], afters: User[]): ExternalIdChange[] {
  return afters.flatMap((after, i) => {
    const was = befores[i]?.externalId ?? null;
    return was === after.externalId ? [] : [{ userId: after.id, was, will: after.externalId }];
  });
}
