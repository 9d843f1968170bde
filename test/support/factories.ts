import { randomUUID } from 'node:crypto';
import type { z } from '../../lib/zod';
import type { inviteUserSchema } from '../../lib/domain/commands';
type InviteUserInput = z.input<typeof inviteUserSchema>;
import type { User } from '../../lib/domain/user';
import type { Deps } from '../../lib/runtime';
import { acceptInvitation, bootstrapAdmin, inviteUser } from '../../lib/use-cases/users';
import type { TestDeps } from './db';

/** A unique, valid invitation; override what the test is about. */
export function makeInvite(overrides: Partial<InviteUserInput> = {}): InviteUserInput {
  const tag = randomUUID().slice(0, 8);
  return { type: 'employee', loginEmail: `user-${tag}@corp.example`, firstName: 'Test', lastName: `User ${tag}`, ...overrides };
}

export async function seedAdmin(deps: Deps, email = `admin-${randomUUID().slice(0, 8)}@corp.example`): Promise<User> {
  return (await bootstrapAdmin(deps, email)).user;
}

/** Invites and accepts, returning the active user. */
export async function seedActiveUser(deps: TestDeps, adminId: string, overrides: Partial<InviteUserInput> = {}): Promise<User> {
  const invited = await inviteUser(deps, adminId, makeInvite(overrides));
  const mail = (await deps.sentMail()).findLast((entry) => entry.to === invited.loginEmail && entry.kind === 'invitation');
  return acceptInvitation(deps, mail!.token);
}
