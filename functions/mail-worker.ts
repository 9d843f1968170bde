import { SESClient } from '@aws-sdk/client-ses';
import { createDocumentClient } from '../lib/data/client';
import { mailWorker } from '../lib/jobs/mail-worker';
import { loadMailWorkerConfig } from '../lib/config';
import { SesMailer } from '../lib/mail/ses-mailer';

const config = loadMailWorkerConfig(process.env);
const deps = {
  table: { client: createDocumentClient({ region: config.region }), name: config.tableName },
  mailer: new SesMailer(new SESClient({ region: config.region }), config.mailFrom, config.appBaseUrl),
  clock: () => new Date(),
};

/**
 * Consumer of the mail queue: issues the token of a pending invitation or login-email change and
 * mails its link through SES. The only function that can send mail.
 */
export const handler = mailWorker(() => deps);
