import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailWorker } from '../../lib/jobs/mail-worker';
import { listAudit } from '../../lib/data/audit';
import { keys } from '../../lib/data/keys';
import { TokenInvalid } from '../../lib/domain/errors';
import type { User } from '../../lib/domain/user';
import type { MailMessage, OutboxMessage } from '../../lib/jobs/queue';
import { MailNotSent, mailPendingLink } from '../../lib/use-cases/mail';
import { MAX_LINKS_PER_REQUEST } from '../../lib/data/pending-tokens';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Mail, Mailer } from '../../lib/mail/mailer';
import { confirmLoginEmailChange, requestLoginEmailChange } from '../../lib/use-cases/address-moves';
import { acceptInvitation, inviteUser } from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, itemsWithPrefix, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';

let deps: TestDeps;
let admin: User;
const context = { awsRequestId: 'r', functionName: 'mail-worker', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const sqsEvent = (...bodies: (OutboxMessage | string)[]) =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body: typeof body === 'string' ? body : JSON.stringify(body) }) as SQSRecord) }) as SQSEvent;
const mailsTo = async (to: string) => (await deps.sentMail()).filter((mail) => mail.to === to);
const storedItem = async (key: { pk: string; sk: string }) => (await itemsWithPrefix(deps.table, key.pk)).find((item) => item.sk === key.sk);

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

let mailer: Mailer;
beforeEach(() => {
  mailer = deps.outbox;
});
/** The mail queue's worker, as the function wires it, on the test's table and outbox. */
const handler = (event: SQSEvent, ctx: Context) => mailWorker(() => ({ ...deps, mailer }))(event, ctx);

describe('mail goes out through the outbox and the mail worker', () => {
  it('an invitation commits with its mail request; the worker issues the token and mails it, and only its hash is ever stored', async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());

    expect(held).toEqual([{ type: 'mail', kind: 'invitation', userId: invited.id, requestId: expect.any(String) }]);
    expect(await storedItem(keys.invitation(invited.id))).not.toHaveProperty('tokenHashes');
    expect(await mailsTo(invited.loginEmail)).toEqual([]);

    // What the relay delivers, next to a malformed message that must not hold it up.
    expect(await handler(sqsEvent('not json', held[0]!), context)).toEqual({ batchItemFailures: [] });

    const [mail, ...more] = await mailsTo(invited.loginEmail);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: 'invitation', text: expect.stringContaining('/invitations/accept?token=') });
    const secret = mail!.token.split('.')[1]!;
    const stored = await storedItem(keys.invitation(invited.id));
    expect(stored).toHaveProperty('tokenHashes');
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(await itemsWithPrefix(deps.table, 'OUTBOX#'))).not.toContain(secret);
    expect((await acceptInvitation(deps, mail!.token)).status).toBe('active');
  });

  it('until the link is mailed, nothing can accept the invitation', async () => {
    const { deps: relayDown } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());
    // A well-formed token for the user, but no token was issued yet: the stored item has no hash.
    await expect(acceptInvitation(deps, `${invited.id}.${'A'.repeat(43)}`)).rejects.toBeInstanceOf(TokenInvalid);
  });

  it('a request replaced by a newer one is not mailed: only the latest login-email change gets a link', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const { deps: relayDown, held } = holdingJobs(deps);
    await requestLoginEmailChange(relayDown, admin.id, user.id, 'first-thought@corp.example');
    await requestLoginEmailChange(relayDown, admin.id, user.id, 'second-thought@corp.example');

    expect(await handler(sqsEvent(...held), context)).toEqual({ batchItemFailures: [] });

    expect(await mailsTo('first-thought@corp.example')).toEqual([]);
    const [mail] = await mailsTo('second-thought@corp.example');
    expect((await confirmLoginEmailChange(deps, mail!.token)).loginEmail).toBe('second-thought@corp.example');
  });

  it('an expired or already used request is not mailed', async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());
    await handler(sqsEvent(held[0]!), context);
    await acceptInvitation(deps, (await mailsTo(invited.loginEmail))[0]!.token);
    // Redelivered after the user accepted: nothing left to mail.
    await handler(sqsEvent(held[0]!), context);
    expect(await mailsTo(invited.loginEmail)).toHaveLength(1);

    const late = await inviteUser(relayDown, admin.id, makeInvite());
    deps.setNow(new Date(Date.now() + (deps.settings.invitationTtlHours + 1) * 3600_000));
    try {
      expect(await handler(sqsEvent(held.at(-1)!), context)).toEqual({ batchItemFailures: [] });
    } finally {
      deps.setNow(null);
    }
    expect(await mailsTo(late.loginEmail)).toEqual([]);
  });

  it('a failed send is reported for redelivery, and the redelivery mails a fresh link that works', async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());
    const refusal = Object.assign(new Error(`Email address is not verified: ${invited.loginEmail}`), { name: 'MessageRejected' });
    const down: Mailer = { send: async (_mail: Mail) => Promise.reject(refusal) };
    // What the worker logs names the cause, never the address SES quoted.
    const error = (await mailPendingLink({ ...deps, mailer: down }, held[0] as MailMessage).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(MailNotSent);
    expect(error.message).toContain('MessageRejected');
    expect(error.message).not.toContain(invited.loginEmail);

    mailer = down;
    expect(await handler(sqsEvent(held[0]!), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(await mailsTo(invited.loginEmail)).toEqual([]);

    mailer = deps.outbox;
    expect(await handler(sqsEvent(held[0]!), context)).toEqual({ batchItemFailures: [] });
    const [mail] = await mailsTo(invited.loginEmail);
    expect((await acceptInvitation(deps, mail!.token)).status).toBe('active');
    // Each attempt issued a link, and said so in the audit trail.
    expect((await listAudit(deps.table, invited.id, 10)).items.map((e) => e.action)).toEqual([
      'invitation.accepted',
      'invitation.link_issued',
      'invitation.link_issued',
      'invitation.link_issued',
      'user.invited',
    ]);
  });

  it('a message delivered twice mails twice; either link works, and only once', async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());

    await handler(sqsEvent(held[0]!), context);
    await handler(sqsEvent(held[0]!), context);

    const [first, second] = await mailsTo(invited.loginEmail);
    expect(first!.token).not.toBe(second!.token);
    // The link people usually click is the first one: a redelivery must not break it.
    expect((await acceptInvitation(deps, first!.token)).status).toBe('active');
    await expect(acceptInvitation(deps, second!.token)).rejects.toBeInstanceOf(TokenInvalid);
  });

  it(`stops mailing a request after ${MAX_LINKS_PER_REQUEST} links: endless redelivery is a fault, not a reason to spam`, async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());

    for (let i = 0; i <= MAX_LINKS_PER_REQUEST; i++) expect(await handler(sqsEvent(held[0]!), context)).toEqual({ batchItemFailures: [] });

    expect(await mailsTo(invited.loginEmail)).toHaveLength(MAX_LINKS_PER_REQUEST);
  });

  it('mails the invitation to the address the invited user has when the link is issued, re-reading if it changed meanwhile', async () => {
    const { deps: relayDown, held } = holdingJobs(deps);
    const invited = await inviteUser(relayDown, admin.id, makeInvite());
    const moved = `moved-${invited.loginEmail}`;
    // The address changes between the worker's read and its write.
    const real = deps.table.client;
    let changed = false;
    const racing = {
      send: async (command: { constructor: { name: string } }) => {
        const result = await real.send(command as never);
        if (!changed && command.constructor.name === 'BatchGetCommand') {
          changed = true;
          await real.send(
            new UpdateCommand({
              TableName: deps.table.name,
              Key: keys.user(invited.id),
              UpdateExpression: 'SET loginEmail = :to',
              ExpressionAttributeValues: { ':to': moved },
            }),
          );
        }
        return result;
      },
    } as unknown as DynamoDBDocumentClient;

    await mailPendingLink({ ...deps, table: { ...deps.table, client: racing }, mailer: deps.outbox }, held[0] as MailMessage);

    expect(await mailsTo(invited.loginEmail)).toEqual([]);
    expect(await mailsTo(moved)).toHaveLength(1);
  });
});
