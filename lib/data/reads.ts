import type { EmailRole } from '../domain/errors';
import type { User } from '../domain/user';
import type { TableRef } from './client';
import { batchGetItems, itemId } from './items';
import { keys } from './keys';
import { itemToUser } from './users';

export type ClaimRead = { userId: string; roles: EmailRole[] };
export type DecisionRead = { users: Map<string, User>; claims: Map<string, ClaimRead> };

/**
 * Access pattern: everything a decision needs, in one strongly consistent BatchGetItem: users by
 * id and the claims of some addresses (who holds them, as what).
 */
export async function readForDecision(table: TableRef, want: { userIds: string[]; addresses: string[] }): Promise<DecisionRead> {
  const items = await batchGetItems(table, [...want.userIds.map((id) => keys.user(id)), ...want.addresses.map((a) => keys.emailClaim(a))]);
  const users = new Map<string, User>();
  for (const id of want.userIds) {
    const item = items.get(itemId(keys.user(id)));
    if (item) users.set(id, itemToUser(item));
  }
  const claims = new Map<string, ClaimRead>();
  for (const address of want.addresses) {
    const item = items.get(itemId(keys.emailClaim(address)));
    if (item) claims.set(address, { userId: String(item.userId), roles: item.roles as EmailRole[] });
  }
  return { users, claims };
}
