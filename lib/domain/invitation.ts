import type { InviteUserInput } from './commands';
import { changeOf, type Change, type Context } from './change';
import { InvalidRequest, TokenInvalid } from './errors';
import { blankUserFields, type User } from './user';

const HOUR = 3_600_000;

/**
 * Rule 3 and 4 at the door: an invitation creates an invited user holding the login and contact
 * addresses (the commit claims them, 409 when taken), in the named workgroups (an extranet user
 * names at least one, and only extranet ones), with a pending invitation whose link the mail
 * worker mails to the login address.
 */
export function invite(command: InviteUserInput, context: Context, settings: { invitationTtlHours: number }): Change {
  const workgroupIds = [...new Set(command.workgroupIds ?? [])];
  if (command.type === 'extranet' && workgroupIds.length === 0) {
    throw new InvalidRequest([{ path: 'workgroupIds', message: 'an extranet user must be invited into at least one extranet workgroup' }]);
  }
  const at = context.now.toISOString();
  const user: User = {
    ...blankUserFields,
    id: context.newId(),
    type: command.type,
    status: 'invited',
    loginEmail: command.loginEmail,
    contactEmail: command.contactEmail ?? null,
    firstName: command.firstName,
    lastName: command.lastName,
    workgroupIds,
    externalId: command.externalId ?? null,
    createdAt: at,
    updatedAt: at,
  };
  const requestId = context.newId();
  const expiresAt = new Date(context.now.getTime() + settings.invitationTtlHours * HOUR).toISOString();
  return changeOf(
    context,
    [{ before: null, after: user, action: 'user.invited' }],
    [
      { type: 'storePending', pending: { kind: 'invitation', userId: user.id, requestId, expiresAt } },
      { type: 'mailLink', kind: 'invitation', userId: user.id, requestId },
      ...workgroupIds.map((workgroupId, i) => ({
        type: 'requireWorkgroup' as const,
        workgroupId,
        extranet: user.type === 'extranet',
        field: `workgroupIds.${i}`,
      })),
    ],
  );
}

/**
 * Accepting the mailed link activates the invited user and uses up the invitation. `tokenHash` is
 * the stored link the presented token matched (bound to the login it was mailed to), if any.
 */
export function acceptInvitation(
  user: User | undefined,
  invitation: { expiresAt: string } | undefined,
  tokenHash: string | undefined,
  context: Context,
): Change {
  if (!user || !invitation || !tokenHash || user.status !== 'invited') throw new TokenInvalid();
  if (invitation.expiresAt <= context.now.toISOString()) throw new TokenInvalid();
  return changeOf(
    { ...context, actorId: user.id },
    [{ before: user, after: { ...user, status: 'active' }, action: 'invitation.accepted' }],
    [{ type: 'consumePending', kind: 'invitation', userId: user.id, tokenHash }],
  );
}
