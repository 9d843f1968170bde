import { logger } from '../logger';
import type { Mail, Mailer } from './mailer';

/**
 * Mail goes out after the change is committed, so a mail failure must not turn a done change into
 * an error the caller would retry (and then be refused as a duplicate). The failure is logged
 * with ids only, never the token, and reported to the caller as `false`.
 */
export async function sendAfterCommit(mailer: Mailer, mail: Mail, context: { userId: string }): Promise<boolean> {
  try {
    await mailer.send(mail);
    return true;
  } catch (error) {
    logger.error('mail not sent after commit', { kind: mail.kind, userId: context.userId, errorName: (error as Error)?.name });
    return false;
  }
}
