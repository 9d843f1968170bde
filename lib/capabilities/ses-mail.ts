import { SESv2Client } from '@aws-sdk/client-sesv2';
import { OutboxMailer } from '../mail/outbox-mailer';
import { SesMailer } from '../mail/ses-mailer';
import { installCapability } from '../runtime';

/** Mail through Amazon SES from the configured sender (the local outbox when MAILER=outbox). */
installCapability('mailer', (config) =>
  config.mailer === 'outbox' ? new OutboxMailer(config.appBaseUrl) : new SesMailer(new SESv2Client({ region: config.region }), config.mailFrom!, config.appBaseUrl),
);
