import '../lib/capabilities/ses-mail';
import { mailMessageSchema } from '../lib/jobs/queue';
import { queueWorker } from '../lib/jobs/sqs-consumer';
import { runtime } from '../lib/runtime';
import { mailPendingLink } from '../lib/use-cases/mail';

/**
 * Consumer of the mail queue: issues the token of a pending invitation or login-email change and
 * mails its link through SES. The only function that can send mail.
 */
export const handler = queueWorker(mailMessageSchema, (message) => mailPendingLink(runtime(), message));
