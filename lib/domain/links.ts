import { changeOf, type Change, type Context, type PendingKind } from './change';
import type { User } from './user';

/**
 * The links mailed for pending requests (rules 4 and 6). A request asks for its mail; the mail
 * worker then issues the token, so it exists in clear only there and in the mail: the change
 * below adds the token's hash to the request (only while it is still this request, unexpired and
 * under its link limit) and audits that a link went out, to which address, until when.
 */
export type LinkRequest = { kind: PendingKind; userId: string; requestId: string };

/** Why a request's link is not mailed: it was replaced, used or expired (nothing to do). */
export type LinkRefusal = { closed: string };

export function decideLink(
  user: User | undefined,
  pending: { requestId: string; expiresAt: string; newEmail?: string | undefined } | undefined,
  request: LinkRequest,
  context: Context,
): { to: string; expiresAt: string } | LinkRefusal {
  if (!user || !pending || pending.requestId !== request.requestId) return { closed: 'replaced or used' };
  if (pending.expiresAt <= context.now.toISOString()) return { closed: 'expired before it was mailed' };
  const to = request.kind === 'invitation' ? user.loginEmail : pending.newEmail;
  const accountFits = request.kind === 'invitation' ? user.status === 'invited' : !user.sweptAt;
  if (!to || !accountFits) return { closed: 'replaced or used' };
  return { to, expiresAt: pending.expiresAt };
}

const LINK_ISSUED = { invitation: 'invitation.link_issued', loginChange: 'user.login_email_change_link_issued' } as const;

/** The change that records an issued link; an invitation's also requires the user still invited at `to`. */
export function issueLink(request: LinkRequest, link: { to: string; expiresAt: string; tokenHash: string }, context: Context): Change {
  return changeOf(
    context,
    [],
    [
      { type: 'addLink', kind: request.kind, userId: request.userId, requestId: request.requestId, tokenHash: link.tokenHash },
      ...(request.kind === 'invitation' ? [{ type: 'requireInvitedAt' as const, userId: request.userId, loginEmail: link.to }] : []),
      { type: 'note', subject: { kind: 'user', id: request.userId }, action: LINK_ISSUED[request.kind], details: { to: link.to, expiresAt: link.expiresAt } },
    ],
  );
}
