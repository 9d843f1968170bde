import type { MailDeps } from '../use-cases/mail';
import { mailPendingLink } from '../use-cases/mail';
import { mailMessageParser } from './mail-message';
import { queueWorker } from './sqs-consumer';

/** The mail queue's consumer, on the dependencies the function builds (tests pass their own). */
export function mailWorker(deps: () => MailDeps) {
  return queueWorker(mailMessageParser, (message) => mailPendingLink(deps(), message));
}
