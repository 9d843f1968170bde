import { renderMail, type Mail, type Mailer, type MailKind } from './mailer';

export type OutboxEntry = { to: string; kind: MailKind; token: string; sentAt: string; subject: string; text: string };

/** Local adapter: keeps mail in memory for `GET /_local/outbox`. Never deployed. */
export class OutboxMailer implements Mailer {
  readonly entries: OutboxEntry[] = [];
  constructor(
    private readonly appBaseUrl: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(mail: Mail): Promise<void> {
    this.entries.push({ to: mail.to, kind: mail.kind, token: mail.token, sentAt: this.clock().toISOString(), ...renderMail(mail, this.appBaseUrl) });
  }
}
