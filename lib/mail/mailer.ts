/** What we mail people; every kind carries a single-use token. */
export type MailKind = 'invitation' | 'login_email_change';
export type Mail = { to: string; kind: MailKind; token: string; expiresAt: string; recipientName: string };

/** The mail port. Adapters: the local outbox and Amazon SES. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export type RenderedMail = { subject: string; text: string };

/** The text people receive: what the link does and when it stops working. */
export function renderMail(mail: Mail, appBaseUrl: string): RenderedMail {
  const expires = new Date(mail.expiresAt).toUTCString();
  const link = (path: string) => `${appBaseUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(mail.token)}`;
  switch (mail.kind) {
    case 'invitation':
      return {
        subject: 'You are invited to the company directory',
        text: [
          `Hello ${mail.recipientName},`,
          '',
          'An administrator invited you to the company directory with this address as your login.',
          `Open this link to accept the invitation and activate your account:`,
          link('/invitations/accept'),
          '',
          `The link works once and expires on ${expires}. If you did not expect this mail, ignore it.`,
        ].join('\n'),
      };
    case 'login_email_change':
      return {
        subject: 'Confirm your new login email',
        text: [
          `Hello ${mail.recipientName},`,
          '',
          'An administrator asked to make this address the login email of your directory account.',
          'Nothing changes until you confirm. Open this link to confirm the change:',
          link('/login-email-change/confirm'),
          '',
          `The link works once and expires on ${expires}. If you did not expect this mail, ignore it.`,
        ].join('\n'),
      };
  }
}
