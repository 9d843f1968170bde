/** What we mail people; every kind carries a single-use token. */
export type MailKind = 'invitation' | 'login_email_change';
export type Mail = { to: string; kind: MailKind; token: string; expiresAt: string; recipientName: string };

/** The mail port. Adapters: the local outbox and Amazon SES. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export type RenderedMail = { subject: string; text: string };

/** What each kind of mail says, around the link: what it does, and where it leads. */
const CONTENT: Record<MailKind, { subject: string; why: string[]; path: string }> = {
  invitation: {
    subject: 'You are invited to the company directory',
    why: [
      'An administrator invited you to the company directory with this address as your login.',
      'Open this link to accept the invitation and activate your account:',
    ],
    path: '/invitations/accept',
  },
  login_email_change: {
    subject: 'Confirm your new login email',
    why: [
      'An administrator asked to make this address the login email of your directory account.',
      'Nothing changes until you confirm. Open this link to confirm the change:',
    ],
    path: '/login-email-change/confirm',
  },
};

/** The text people receive: what the link does and when it stops working. */
export function renderMail(mail: Mail, appBaseUrl: string): RenderedMail {
  const { subject, why, path } = CONTENT[mail.kind];
  const link = `${appBaseUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(mail.token)}`;
  const expires = new Date(mail.expiresAt).toUTCString();
  return {
    subject,
    text: [
      `Hello ${mail.recipientName},`,
      '',
      ...why,
      link,
      '',
      `The link works once and expires on ${expires}. If you did not expect this mail, ignore it.`,
    ].join('\n'),
  };
}
