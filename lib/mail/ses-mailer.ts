import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { renderMail, type Mail, type Mailer } from './mailer';

/**
 * AWS adapter: Amazon SES from the sender identity configured in the stack. The classic SES API
 * (not v2): the same SendEmail action and permission, and a client a third the size, which keeps
 * the mail worker within the bundle budget.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly fromAddress: string,
    private readonly appBaseUrl: string,
  ) {}

  async send(mail: Mail): Promise<void> {
    const { subject, text } = renderMail(mail, this.appBaseUrl);
    await this.client.send(
      new SendEmailCommand({
        Source: this.fromAddress,
        Destination: { ToAddresses: [mail.to] },
        Message: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: text, Charset: 'UTF-8' } } },
      }),
    );
  }
}
