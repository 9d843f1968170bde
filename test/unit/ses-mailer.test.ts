import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SesMailer } from '../../lib/mail/ses-mailer';

describe('SES mail adapter', () => {
  it('sends a plain-text mail from the configured identity to the one recipient, with the link to the app', async () => {
    const client = new SESClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const token = '01JD3ZK1X7Q8M2V5N4R6T9W0YB.secret+/=';

    await new SesMailer(client, 'no-reply@corp.example', 'https://directory.corp.example/').send({
      to: 'ann.lee@corp.example',
      kind: 'invitation',
      token,
      expiresAt: '2026-11-29T10:00:00.000Z',
      recipientName: 'Ann',
    });

    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Source: 'no-reply@corp.example',
      Destination: { ToAddresses: ['ann.lee@corp.example'] },
      Message: { Subject: { Data: 'You are invited to the company directory', Charset: 'UTF-8' } },
    });
    const body = input.Message!.Body!.Text!.Data!;
    expect(body).toContain('Hello Ann,');
    expect(body).toContain(`https://directory.corp.example/invitations/accept?token=${encodeURIComponent(token)}`);
    expect(body).toContain('Sun, 29 Nov 2026 10:00:00 GMT');
  });

  it('lets a refused send fail, so the mail worker reports it for redelivery', async () => {
    const client = new SESClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    mockClient(client).on(SendEmailCommand).rejects(new Error('Throttling'));
    await expect(
      new SesMailer(client, 'no-reply@corp.example', 'https://d.example').send({
        to: 'a@corp.example',
        kind: 'login_email_change',
        token: 't',
        expiresAt: '2026-11-29T10:00:00.000Z',
        recipientName: 'A',
      }),
    ).rejects.toThrow('Throttling');
  });
});
