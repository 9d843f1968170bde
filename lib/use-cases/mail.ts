import { decideLink, issueLink } from '../domain/links';
import { issueToken } from '../domain/tokens';
import { commit } from '../data/commit';
import { getUserWithPending, RequestClosed } from '../data/pending-tokens';
import type { MailMessage } from '../domain/follow-up';
import { logger } from '../logger';
import type { Mail, Mailer } from '../mail/mailer';
import type { Deps } from '../runtime';
import { contextOf, retryOnStale } from './steps';

const MAIL_KIND = { invitation: 'invitation', loginChange: 'login_email_change' } as const;

export type MailOutcome = 'sent' | 'superseded';

/**
 * The mail service failed or refused. Carries only the cause's error name: SES messages can quote
 * the recipient's address, and this error is logged by the worker that retries it.
 */
export class MailNotSent extends Error {
  override readonly name = 'MailNotSent';
  constructor(readonly causeName: string) {
    super(`the mail service did not take the mail (${causeName}); the queue will redeliver it`);
  }
}

/** All the mail worker needs: the table, the mail service and the time. */
export type MailDeps = Pick<Deps, 'table' | 'clock'> & { mailer: Mailer };

/**
 * Mails the link of a pending invitation or login-email change: the mail worker's job, queued by
 * the outbox item the request committed. The token is issued here rather than by the request, so
 * it exists in clear only in this function's memory and in the mail: the outbox item, the stream
 * and the queue carry ids, and the table only the token's hash.
 * 1. Read the user and the pending item in one request. If the request is gone (used, or replaced
 *    by a later one, which mails its own link) or expired, there is nothing to mail.
 * 2. One transaction adds the new token's hash to the request, only while it is still this one,
 *    unexpired and under its link limit; for an invitation, checks the user is still invited at
 *    the address we are about to mail (else re-read and re-decide); and audits that a link was
 *    issued (system actor, to which address, until when).
 * 3. Send. A failure throws, so the queue redelivers the message and the redelivery mails a fresh
 *    link; links mailed before keep working (the request holds every hash) until one is used.
 *    Never logs the token or the address.
 */
export async function mailPendingLink(deps: MailDeps, message: MailMessage): Promise<MailOutcome> {
  try {
    return await retryOnStale(() => mailOnce(deps, message));
  } catch (error) {
    if (!(error instanceof RequestClosed)) throw error;
    // A replaced or used request is routine; one that expired unmailed, or keeps being redelivered,
    // means someone did not get their link.
    const routine = error.reason === 'replaced or used';
    logger[routine ? 'info' : 'warn']('mail not sent: the request is closed', { kind: message.kind, userId: message.userId, reason: error.reason });
    return 'superseded';
  }
}

async function mailOnce(deps: MailDeps, message: MailMessage): Promise<MailOutcome> {
  const context = contextOf(deps, null, 'system');
  const { user, pending } = await getUserWithPending(deps.table, message.userId, message.kind);
  const decided = decideLink(user, pending, message, context);
  if ('closed' in decided) throw new RequestClosed(decided.closed);
  // An invitation link works only while the login is the address it went to (see acceptInvitation).
  const { token, hash } = issueToken(message.userId, message.kind === 'invitation' ? decided.to : undefined);
  await commit(deps.table, issueLink(message, { ...decided, tokenHash: hash }, context));
  const mail: Mail = { to: decided.to, kind: MAIL_KIND[message.kind], token, expiresAt: decided.expiresAt, recipientName: user!.firstName };
  try {
    await deps.mailer.send(mail);
  } catch (error) {
    throw new MailNotSent((error as Error)?.name ?? 'unknown');
  }
  logger.info('mail sent', { kind: message.kind, userId: message.userId });
  return 'sent';
}
