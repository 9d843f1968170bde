import { expect } from 'vitest';
import type { TableRef } from '../../lib/data/client';
import { addressesOf, rolesOf, type User } from '../../lib/domain/user';
import { itemsWithPrefix } from './db';

/**
 * The uniqueness invariant over a whole table: every address a user holds has exactly one claim,
 * naming that user with exactly the roles they hold it in, and no claim names anything else.
 */
export async function expectClaimsConsistent(table: TableRef): Promise<void> {
  const users = (await itemsWithPrefix(table, 'USER#')).filter((item) => item.sk === 'PROFILE') as unknown as User[];
  const expected: Record<string, { userId: string; roles: string[] }[]> = {};
  for (const user of users) {
    for (const address of addressesOf(user)) {
      expected[address] ??= [];
      expected[address].push({ userId: user.id, roles: rolesOf(user, address) });
    }
  }
  const claims = await itemsWithPrefix(table, 'EMAIL#');
  const actual: Record<string, { userId: string; roles: string[] }[]> = {};
  for (const claim of claims) {
    const address = String(claim.email);
    actual[address] ??= [];
    actual[address].push({ userId: String(claim.userId), roles: claim.roles as string[] });
  }
  expect(actual).toEqual(expected);
}
