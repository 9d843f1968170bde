import { expect } from 'vitest';
import type { TableRef } from '../../lib/data/client';
import { addressesOf, rolesOf, type User } from '../../lib/domain/user';
import { itemsWithPrefix } from './db';

/**
 * The invariants over a whole table. Rule 2: every address a user holds has exactly one claim,
 * naming that user with exactly the roles they hold it in, and no claim names anything else.
 * Rule 13: every version of every user has its event, numbered 1, 2, 3, ... with no gap.
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
  await expectEventPerVersion(table, users);
}

async function expectEventPerVersion(table: TableRef, users: User[]): Promise<void> {
  const items = await itemsWithPrefix(table, 'USER#');
  const sequences: Record<string, number[]> = {};
  for (const item of items.filter((i) => i.entity === 'event')) {
    const event = item.event as { data: { userId: string; sequence: number } };
    sequences[event.data.userId] ??= [];
    sequences[event.data.userId]!.push(event.data.sequence);
  }
  const actual = Object.fromEntries(users.map((user) => [user.id, (sequences[user.id] ?? []).sort((a, b) => a - b)]));
  const expected = Object.fromEntries(users.map((user) => [user.id, Array.from({ length: user.version }, (_, i) => i + 1)]));
  expect(actual).toEqual(expected);
}
