import type { Context } from '../../lib/domain/change';
import { blankUserFields, type User } from '../../lib/domain/user';

/** Fixtures for the pure decisions: no database, no clock, deterministic ids. */
export const NOW = new Date('2026-06-01T12:00:00.000Z');

let counter = 0;
export function nextId(): string {
  counter += 1;
  return `01J${String(counter).padStart(23, '0')}`;
}

export function context(overrides: Partial<Context> = {}): Context {
  return { now: NOW, actorId: 'ADMIN', source: 'admin', newId: nextId, ...overrides };
}

export function aUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? nextId();
  return {
    ...blankUserFields,
    id,
    type: 'employee',
    status: 'active',
    loginEmail: `${id.toLowerCase()}@corp.example`,
    firstName: 'Test',
    lastName: 'User',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 3,
    ...overrides,
  };
}
