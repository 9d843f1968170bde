import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { renderMail, type Mail, type Mailer } from './mailer';

/** AWS adapter: Amazon SES v2 from the sender identity configured in the stack. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly fromAddress: string,
    private readonly appBaseUrl: string,
  ) {}

  async send(mail: Mail): Promise<void> {
    const { subject, text } = renderMail(mail, this.appBaseUrl);
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.fromAddress,
        Destination: { ToAddresses: [mail.to] },
        Content: { Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: text, Charset: 'UTF-8' } } } },
      }),
    );
  }
}
