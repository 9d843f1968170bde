import { beforeAll, describe, expect, it } from 'vitest';
import { EmailInUse, InvalidRequest, TokenInvalid } from '../../lib/domain/errors';
import type { User } from '../../lib/domain/user';
import { getEmailClaim } from '../../lib/data/claims';
import { getUser } from '../../lib/data/users';
import { receiveHrWebhook } from '../../lib/use-cases/hr-webhooks';
import { lookupEmail } from '../../lib/use-cases/lookups';
import { acceptInvitation, bootstrapAdmin, dismissUser, inviteUser, rehireUser, setAdmin } from '../../lib/use-cases/users';
import { confirmLoginEmailChange, requestLoginEmailChange } from '../../lib/use-cases/address-moves';
import { runDueDismissals } from '../../lib/use-cases/scheduled-dismissals';
import { runCleanup } from '../../lib/use-cases/cleanup';
import { listDeliveryEvents } from '../../lib/data/deliveries';
import { keys } from '../../lib/data/keys';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createWorkgroup } from '../../lib/use-cases/workgroups';
import { createTestDeps, holdingJobs, type TestDeps } from '../support/db';
import { getWork, moveOpenWorkCount } from '../support/work';
import { createWork, workCounts } from '../../lib/use-cases/work';
import { getJob } from '../../lib/data/jobs';
import { HandoverNotSettled, runHandoverJob } from '../../lib/use-cases/handover';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { expectClaimsConsistent } from '../support/invariants';
import { providers, standardDelivery } from '../support/webhooks';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const sendStandard = async (payload: unknown) => {
  const delivery = standardDelivery(payload);
  await receiveHrWebhook(deps, providers, 'standard', delivery.body, delivery.headers);
  await deps.jobs.idle();
};

describe('every entry point stores one claim key per address (rules 1 and 2)', () => {
  it('an HR contact email with T + U+0308 and an invite of U+1E97 are one address: the invite is refused', async () => {
    const employee = await seedActiveUser(deps, admin.id, { externalId: 'HR-NFC-1' });
    await sendStandard({ type: 'employee.email_changed', data: { externalId: 'HR-NFC-1', contactEmail: 'T\u0308om@corp.example' } });
    expect((await getUser(deps.table, employee.id))!.contactEmail).toBe('\u1e97om@corp.example');

    const error = await inviteUser(deps, admin.id, makeInvite({ loginEmail: '\u1e97om@corp.example' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUse);
    expect(error).toMatchObject({ holder: { id: employee.id }, usedAs: ['contact'] });
    await expectClaimsConsistent(deps.table);
  });

  it('an HR termination naming the address in another spelling dismisses its one holder', async () => {
    const employee = await seedActiveUser(deps, admin.id, { loginEmail: '\u1e97ea@corp.example' });
    await sendStandard({ type: 'employee.terminated', data: { email: 'T\u0308EA@CORP.EXAMPLE' } });
    expect((await getUser(deps.table, employee.id))!.status).toBe('dismissed');
  });

  it('a domain in Unicode, punycode or full-width is one address on every path', async () => {
    const holder = await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'jose@b\u00fccher.example' }));
    expect(holder.loginEmail).toBe('jose@xn--bcher-kva.example');
    expect(await getEmailClaim(deps.table, 'jose@xn--bcher-kva.example')).toMatchObject({ userId: holder.id });
    await expect(inviteUser(deps, admin.id, makeInvite({ loginEmail: 'JOSE@xn--bcher-kva.example' }))).rejects.toBeInstanceOf(EmailInUse);
    expect(await lookupEmail(deps, admin.id, 'jose@B\u00dcCHER.example')).toMatchObject({ status: 'in_use', user: { id: holder.id } });

    const fullWidth = await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'jose@\uff43\uff4f\uff52\uff50.example' }));
    expect(fullWidth.loginEmail).toBe('jose@corp.example');
    await expect(inviteUser(deps, admin.id, makeInvite({ loginEmail: 'jose@corp.example' }))).rejects.toBeInstanceOf(EmailInUse);
  });

  it('addresses hiding default-ignorable or blank code points are refused with 400 naming the field', async () => {
    for (const c of ['\u034f', '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u180b', '\ufe0f', '\u{e0100}']) {
      const error = await inviteUser(deps, admin.id, makeInvite({ loginEmail: `jose${c}@corp.example` })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as InvalidRequest).errors[0]!.path).toBe('loginEmail');
    }
  });

  it('names with line breaks, bidi overrides or invisible characters are refused; workgroup names cannot be doubled with look-alike spaces', async () => {
    for (const firstName of ['Jane\nBcc: x@evil.example', 'Jane\u202e', 'Ja\u200bne']) {
      const error = await inviteUser(deps, admin.id, makeInvite({ firstName })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as InvalidRequest).errors[0]!.path).toBe('firstName');
    }
    await createWorkgroup(deps, admin.id, { name: 'Field  Sales', extranet: false });
    for (const name of ['Field\u00a0Sales', 'Field\u200bSales', 'Field\u3000Sales']) {
      await expect(createWorkgroup(deps, admin.id, { name, extranet: false }), name).rejects.toBeInstanceOf(InvalidRequest);
    }
    await expect(createWorkgroup(deps, admin.id, { name: '\uff26ield sales', extranet: false })).rejects.toMatchObject({ code: 'workgroup_name_in_use' });
  });
});

describe('the directory always keeps an active admin (rule 10)', () => {
  // Each case starts a directory of its own: "the only admin" must be the only one in the table.
  const directory = async () => {
    const own = await createTestDeps();
    const only = await seedAdmin(own);
    return { own, only };
  };

  it('an HR termination matching the only admin is kept failed with last_admin, and changes nothing', async () => {
    const { own, only } = await directory();
    const delivery = standardDelivery({ type: 'employee.terminated', data: { email: only.loginEmail } });
    const receipt = await receiveHrWebhook(own, providers, 'standard', delivery.body, delivery.headers);
    await own.jobs.idle();

    expect((await listDeliveryEvents(own.table, 'standard', receipt.deliveryId))[0]).toMatchObject({ status: 'failed', code: 'last_admin' });
    expect(await getUser(own.table, only.id)).toMatchObject({ status: 'active', isAdmin: true });
  });

  it('an HR contractor conversion of the only admin is refused the same way', async () => {
    const { own, only } = await directory();
    const partners = await createWorkgroup(own, only.id, { name: 'Partners', extranet: true });
    const delivery = standardDelivery({ type: 'employee.contractor_converted', data: { email: only.loginEmail, workgroupIds: [partners.id] } });
    const receipt = await receiveHrWebhook(own, providers, 'standard', delivery.body, delivery.headers);
    await own.jobs.idle();

    expect((await listDeliveryEvents(own.table, 'standard', receipt.deliveryId))[0]).toMatchObject({ status: 'failed', code: 'last_admin' });
    expect(await getUser(own.table, only.id)).toMatchObject({ status: 'active', isAdmin: true, type: 'employee' });
  });

  it('two admins scheduling each other: the first due dismissal happens, the second is kept and reported', async () => {
    const { own, only: first } = await directory();
    const second = await setAdmin(own, first.id, (await seedActiveUser(own, first.id)).id, true);
    const soon = new Date(Date.now() + 60_000).toISOString();
    await dismissUser(own, first.id, second.id, { effectiveAt: soon });
    await dismissUser(own, second.id, first.id, { effectiveAt: soon });

    own.setNow(new Date(Date.now() + 120_000));
    const report = await runDueDismissals(own);
    const again = await runDueDismissals(own);

    expect(report.dismissed).toHaveLength(1);
    expect(report.skipped).toEqual([expect.objectContaining({ reason: expect.stringContaining('without an active admin') })]);
    expect(again.skipped).toHaveLength(1);
    const kept = (await getUser(own.table, report.skipped[0]!.userId))!;
    expect(kept).toMatchObject({ status: 'active', isAdmin: true });
    expect(kept.scheduledDismissal).not.toBeNull();
  });

  it('two admins dismissing each other at once: exactly one goes through', async () => {
    const { own, only: first } = await directory();
    const second = await setAdmin(own, first.id, (await seedActiveUser(own, first.id)).id, true);
    const outcomes = await Promise.allSettled([dismissUser(own, first.id, second.id, {}), dismissUser(own, second.id, first.id, {})]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const users = await Promise.all([getUser(own.table, first.id), getUser(own.table, second.id)]);
    expect(users.filter((u) => u!.status === 'active' && u!.isAdmin)).toHaveLength(1);
  });

  it('dismissal ends admin rights: a rehire by an admin or by an HR event does not restore them', async () => {
    const { own, only } = await directory();
    const other = await setAdmin(own, only.id, (await seedActiveUser(own, only.id, { externalId: 'HR-ADMIN-2' })).id, true);

    expect((await dismissUser(own, only.id, other.id, {})).isAdmin).toBe(false);
    expect((await rehireUser(own, only.id, other.id)).isAdmin).toBe(false);

    await setAdmin(own, only.id, other.id, true);
    await dismissUser(own, only.id, other.id, {});
    const rehire = standardDelivery({ type: 'employee.rehired', data: { externalId: 'HR-ADMIN-2' } });
    await receiveHrWebhook(own, providers, 'standard', rehire.body, rehire.headers);
    await own.jobs.idle();
    expect(await getUser(own.table, other.id)).toMatchObject({ status: 'active', isAdmin: false });
  });

  it('a directory that predates the counter gets it from its active admins at start-up', async () => {
    const { own, only } = await directory();
    const other = await setAdmin(own, only.id, (await seedActiveUser(own, only.id)).id, true);
    await own.table.client.send(new DeleteCommand({ TableName: own.table.name, Key: keys.activeAdmins() }));

    await bootstrapAdmin(own, only.loginEmail);
    await dismissUser(own, only.id, other.id, {});
    const delivery = standardDelivery({ type: 'employee.terminated', data: { email: only.loginEmail } });
    await receiveHrWebhook(own, providers, 'standard', delivery.body, delivery.headers);
    await own.jobs.idle();
    expect(await getUser(own.table, only.id)).toMatchObject({ status: 'active', isAdmin: true });
  });
});

describe('work created during a dismissal goes to the delegate too (rule 9)', () => {
  const openWorkOf = async (userId: string) => {
    const counts = await workCounts(deps, admin.id, userId);
    return counts.openTasks + counts.openActivities;
  };

  it('a task committed just before the dismissal, stamped by a clock a little ahead, is handed over', async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const now = Date.now();
    // Two Lambdas' clocks differ by milliseconds: the task's is ahead of the dismissal's.
    deps.setNow(new Date(now + 25));
    const task = await createWork(deps, admin.id, 'task', { title: 'Racing task', responsibleId: leaver.id });
    deps.setNow(new Date(now));
    const dismissed = await dismissUser(deps, admin.id, leaver.id, { delegateId: delegate.id });
    deps.setNow(null);
    await deps.jobs.idle();

    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'completed', moved: { tasks: 1, activities: 0 } });
    expect(await getWork(deps.table, task.id)).toMatchObject({ responsibleId: delegate.id, state: 'open' });
    expect(await openWorkOf(leaver.id)).toBe(0);
  });

  it('raced creations and dismissals never leave open work with the leaver', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 20 }, async () => ({ leaver: await seedActiveUser(deps, admin.id), delegate: await seedActiveUser(deps, admin.id) })),
    );
    await Promise.all(
      pairs.map(({ leaver, delegate }) =>
        Promise.allSettled([
          createWork(deps, admin.id, 'task', { title: 'Raced', responsibleId: leaver.id }),
          createWork(deps, admin.id, 'activity', { title: 'Raced', responsibleId: leaver.id }),
          dismissUser(deps, admin.id, leaver.id, { delegateId: delegate.id }),
        ]),
      ),
    );
    await deps.jobs.idle();
    for (const { leaver } of pairs) {
      expect((await getUser(deps.table, leaver.id))!.status).toBe('dismissed');
      expect(await openWorkOf(leaver.id)).toBe(0);
    }
  });

  it("a dismissal job does not complete while the index has not yet caught up with the leaver's work", async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    // What a lagging index looks like: the count says the leaver holds work the index does not list.
    await moveOpenWorkCount(deps.table, leaver.id, { task: 1 });
    const { deps: held, held: queued } = holdingJobs(deps);
    const dismissed = await dismissUser(held, admin.id, leaver.id, { delegateId: delegate.id });

    await expect(runHandoverJob(held, (queued[0] as { jobId: string }).jobId)).rejects.toBeInstanceOf(HandoverNotSettled);
    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'pending' });
  }, 20_000);
});

describe('an invitation link works only while the login is the address it was mailed to', () => {
  it('after the login changes before acceptance, the first mail no longer activates the account', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const firstMail = (await deps.sentMail()).findLast((m) => m.to === invited.loginEmail && m.kind === 'invitation')!;
    await requestLoginEmailChange(deps, admin.id, invited.id, `moved-${invited.id.toLowerCase()}@corp.example`);
    const confirmation = (await deps.sentMail()).findLast((m) => m.kind === 'login_email_change' && m.to.startsWith('moved-'))!;
    await confirmLoginEmailChange(deps, confirmation.token);

    await expect(acceptInvitation(deps, firstMail.token)).rejects.toBeInstanceOf(TokenInvalid);
    expect((await getUser(deps.table, invited.id))!.status).toBe('invited');
  });

  it('a link mailed to the current login still works', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const mail = (await deps.sentMail()).findLast((m) => m.to === invited.loginEmail && m.kind === 'invitation')!;
    expect((await acceptInvitation(deps, mail.token)).status).toBe('active');
  });
});

describe('retention counts from when a dismissal was recorded (rule 12)', () => {
  const DAY = 86_400_000;

  it('a dismissal back-dated beyond the retention is not swept at the next run, but once the retention has passed since', async () => {
    deps.setNow(new Date(Date.now() - 400 * DAY));
    const user = await seedActiveUser(deps, admin.id);
    deps.setNow(null);
    const effectiveAt = new Date(Date.now() - 200 * DAY).toISOString();
    const dismissed = await dismissUser(deps, admin.id, user.id, { effectiveAt });
    // The user reads as dismissed when HR says; only the retention waits.
    expect(dismissed.dismissedAt).toBe(effectiveAt);

    const now = await runCleanup(deps, { dryRun: false, retentionDays: 90, actorId: admin.id });
    expect(now.userIds).not.toContain(user.id);
    expect((await getUser(deps.table, user.id))!.sweptAt).toBeNull();

    deps.setNow(new Date(Date.now() + 91 * DAY));
    const later = await runCleanup(deps, { dryRun: false, retentionDays: 90, actorId: admin.id });
    deps.setNow(null);
    expect(later.userIds).toContain(user.id);
  });
});
