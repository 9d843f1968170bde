import { beforeAll, describe, expect, it } from 'vitest';
import { EmailInUse, InvalidRequest, InvalidState, NotFound, TokenInvalid, WorkgroupNameInUse } from '../../lib/domain/errors';
import { tombstoneLogin, type User } from '../../lib/domain/user';
import { listAudit } from '../../lib/data/audit';
import { getEmailClaim } from '../../lib/data/claims';
import { keys } from '../../lib/data/keys';
import { getUser } from '../../lib/data/users';
import { confirmLoginEmailChange, moveToExtranet, requestLoginEmailChange, transferEmail } from '../../lib/use-cases/address-moves';
import { lookupEmail } from '../../lib/use-cases/lookups';
import { dismissUser, inviteUser, rehireUser } from '../../lib/use-cases/users';
import { addWorkgroupMember, createWorkgroup, listWorkgroups, removeWorkgroupMember } from '../../lib/use-cases/workgroups';
import { expectClaimsConsistent } from '../support/invariants';
import { createTestDeps, itemsWithPrefix, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';

let deps: TestDeps;
let admin: User;
let extranetGroup: string;
let intranetGroup: string;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
  extranetGroup = (await createWorkgroup(deps, admin.id, { name: 'Partner project', extranet: true })).id;
  intranetGroup = (await createWorkgroup(deps, admin.id, { name: 'Staff room', extranet: false })).id;
});

const mailTo = async (to: string) => (await deps.sentMail()).findLast((entry) => entry.to === to && entry.kind === 'login_email_change');
const seedDismissed = async (fields: Parameters<typeof seedActiveUser>[2] = {}) => {
  const user = await seedActiveUser(deps, admin.id, fields);
  return dismissUser(deps, admin.id, user.id, {});
};

describe('login email change (rule 6)', () => {
  it('mails a confirmation to the NEW address and changes nothing until it is confirmed', async () => {
    const user = await seedActiveUser(deps, admin.id);

    const pending = await requestLoginEmailChange(deps, admin.id, user.id, 'New.Login@Corp.Example');

    expect(pending).toMatchObject({ userId: user.id, email: 'new.login@corp.example', status: 'pending' });
    expect(await mailTo('new.login@corp.example')).toMatchObject({ kind: 'login_email_change' });
    expect((await mailTo('new.login@corp.example'))!.text).toContain('Nothing changes until you confirm');
    expect((await getUser(deps.table, user.id))!.loginEmail).toBe(user.loginEmail);
    expect(await getEmailClaim(deps.table, 'new.login@corp.example')).toBeUndefined();
    const [stored] = (await itemsWithPrefix(deps.table, keys.loginChange(user.id).pk)).filter((i) => i.sk === 'LOGIN_CHANGE');
    expect(JSON.stringify(stored)).not.toContain((await mailTo('new.login@corp.example'))!.token.split('.')[1]);
  });

  it('confirmation switches the login, frees the old address, audits, and works once', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, user.id, 'switched@corp.example');
    const token = (await mailTo('switched@corp.example'))!.token;

    const changed = await confirmLoginEmailChange(deps, token);

    expect(changed.loginEmail).toBe('switched@corp.example');
    expect(await getEmailClaim(deps.table, user.loginEmail)).toBeUndefined();
    expect(await getEmailClaim(deps.table, 'switched@corp.example')).toMatchObject({ userId: user.id, roles: ['login'] });
    expect((await listAudit(deps.table, user.id, 3)).items.map((e) => e.action)).toEqual([
      'user.login_email_changed',
      'user.login_email_change_link_issued',
      'user.login_email_change_requested',
    ]);
    await expect(confirmLoginEmailChange(deps, token)).rejects.toBeInstanceOf(TokenInvalid);
  });

  it('refuses a taken address at request time, naming the holder, and mails nothing', async () => {
    const holder = await seedDismissed();
    const user = await seedActiveUser(deps, admin.id);
    const mailsBefore = (await deps.sentMail()).length;
    const error = await requestLoginEmailChange(deps, admin.id, user.id, holder.loginEmail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUse);
    expect(error).toMatchObject({ usedAs: ['login'], holder: { id: holder.id, status: 'dismissed' } });
    expect((await deps.sentMail()).length).toBe(mailsBefore);
  });

  it('re-checks the claim at confirmation: if someone took the address meanwhile, 409 and nothing changes', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, user.id, 'sniped@corp.example');
    await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'sniped@corp.example' }));

    await expect(confirmLoginEmailChange(deps, (await mailTo('sniped@corp.example'))!.token)).rejects.toBeInstanceOf(EmailInUse);

    expect((await getUser(deps.table, user.id))!.loginEmail).toBe(user.loginEmail);
    expect(await getEmailClaim(deps.table, user.loginEmail)).toMatchObject({ userId: user.id });
  });

  it('a second request replaces the first', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, user.id, 'first-choice@corp.example');
    const first = (await mailTo('first-choice@corp.example'))!.token;
    await requestLoginEmailChange(deps, admin.id, user.id, 'second-choice@corp.example');
    await expect(confirmLoginEmailChange(deps, first)).rejects.toBeInstanceOf(TokenInvalid);
    expect((await confirmLoginEmailChange(deps, (await mailTo('second-choice@corp.example'))!.token)).loginEmail).toBe('second-choice@corp.example');
  });

  it('expires after 24 hours by default', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, user.id, 'too-late@corp.example');
    const { token } = (await mailTo('too-late@corp.example'))!;
    deps.setNow(new Date(Date.now() + 24 * 3600_000 + 1000));
    try {
      await expect(confirmLoginEmailChange(deps, token)).rejects.toBeInstanceOf(TokenInvalid);
    } finally {
      deps.setNow(null);
    }
  });

  it("may move the login onto the user's own contact address, leaving one claim with both roles", async () => {
    const user = await seedActiveUser(deps, admin.id, { contactEmail: 'own-contact@home.example' });
    await requestLoginEmailChange(deps, admin.id, user.id, 'own-contact@home.example');
    await confirmLoginEmailChange(deps, (await mailTo('own-contact@home.example'))!.token);
    expect(await getEmailClaim(deps.table, 'own-contact@home.example')).toMatchObject({ userId: user.id, roles: ['login', 'contact'] });
  });

  it("frees a dismissed user's login the way the seed asks the leaver to, without a rehire", async () => {
    const leaver = await seedDismissed();
    await requestLoginEmailChange(deps, admin.id, leaver.id, 'leaver-private@home.example');
    await confirmLoginEmailChange(deps, (await mailTo('leaver-private@home.example'))!.token);
    expect(await lookupEmail(deps, admin.id, leaver.loginEmail)).toEqual({ email: leaver.loginEmail, status: 'free' });
    expect((await getUser(deps.table, leaver.id))!.status).toBe('dismissed');
  });

  it('refuses the current login as the new one', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await expect(requestLoginEmailChange(deps, admin.id, user.id, user.loginEmail)).rejects.toBeInstanceOf(InvalidState);
  });
});

describe('transfer (rule 7)', () => {
  it("moves a dismissed user's contact address to another user's contact, clearing it on the holder", async () => {
    const leaver = await seedDismissed({ contactEmail: 'team-inbox@corp.example' });
    const recipient = await seedActiveUser(deps, admin.id, { contactEmail: 'recipient-old@home.example' });

    const { from, to } = await transferEmail(deps, admin.id, 'team-inbox@corp.example', { toUserId: recipient.id, as: 'contact' });

    expect(from).toMatchObject({ id: leaver.id, contactEmail: null, loginEmail: leaver.loginEmail, status: 'dismissed' });
    expect(to).toMatchObject({ id: recipient.id, contactEmail: 'team-inbox@corp.example' });
    expect(await getEmailClaim(deps.table, 'team-inbox@corp.example')).toMatchObject({ userId: recipient.id, roles: ['contact'] });
    expect(await getEmailClaim(deps.table, 'recipient-old@home.example')).toBeUndefined();
    expect((await listAudit(deps.table, leaver.id, 1)).items[0]).toMatchObject({
      action: 'email.transferred_out',
      after: { email: 'team-inbox@corp.example', toUserId: recipient.id },
    });
    expect((await listAudit(deps.table, recipient.id, 1)).items[0]).toMatchObject({
      action: 'email.transferred_in',
      after: { fromUserId: leaver.id, as: 'contact' },
    });
  });

  it("moves a dismissed user's login to another user's login; the holder gets the replacement", async () => {
    const leaver = await seedDismissed({ loginEmail: 'sales@corp.example' });
    const successor = await seedActiveUser(deps, admin.id);

    const { from, to } = await transferEmail(deps, admin.id, 'sales@corp.example', {
      toUserId: successor.id,
      as: 'login',
      replacementLoginEmail: 'former.sales@home.example',
    });

    expect(from.loginEmail).toBe('former.sales@home.example');
    expect(to.loginEmail).toBe('sales@corp.example');
    expect(await getEmailClaim(deps.table, 'sales@corp.example')).toMatchObject({ userId: successor.id, roles: ['login'] });
    expect(await getEmailClaim(deps.table, 'former.sales@home.example')).toMatchObject({ userId: leaver.id, roles: ['login'] });
    expect(await getEmailClaim(deps.table, successor.loginEmail)).toBeUndefined();
  });

  it('moves an address the holder used as both login and contact, clearing both roles', async () => {
    const leaver = await seedDismissed({ loginEmail: 'both@corp.example', contactEmail: 'both@corp.example' });
    const successor = await seedActiveUser(deps, admin.id);
    const { from } = await transferEmail(deps, admin.id, 'both@corp.example', {
      toUserId: successor.id,
      as: 'contact',
      replacementLoginEmail: 'both.old@home.example',
    });
    expect(from).toMatchObject({ id: leaver.id, loginEmail: 'both.old@home.example', contactEmail: null });
    expect(await getEmailClaim(deps.table, 'both@corp.example')).toMatchObject({ userId: successor.id, roles: ['contact'] });
  });

  it('needs a replacement when the address is the holder login (400), and changes nothing', async () => {
    const leaver = await seedDismissed();
    const successor = await seedActiveUser(deps, admin.id);
    const error = await transferEmail(deps, admin.id, leaver.loginEmail, { toUserId: successor.id, as: 'login' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as InvalidRequest).errors[0]!.path).toBe('replacementLoginEmail');
    expect(await getEmailClaim(deps.table, leaver.loginEmail)).toMatchObject({ userId: leaver.id });
  });

  it('refuses with 409 when the holder is not dismissed, or the recipient is', async () => {
    const active = await seedActiveUser(deps, admin.id, { contactEmail: 'active-holder@home.example' });
    const recipient = await seedActiveUser(deps, admin.id);
    await expect(transferEmail(deps, admin.id, 'active-holder@home.example', { toUserId: recipient.id, as: 'contact' })).rejects.toBeInstanceOf(InvalidState);
    const leaver = await seedDismissed({ contactEmail: 'to-a-leaver@home.example' });
    const otherLeaver = await seedDismissed();
    await expect(transferEmail(deps, admin.id, 'to-a-leaver@home.example', { toUserId: otherLeaver.id, as: 'contact' })).rejects.toBeInstanceOf(InvalidState);
    expect((await getUser(deps.table, active.id))!.contactEmail).toBe('active-holder@home.example');
    expect((await getUser(deps.table, leaver.id))!.contactEmail).toBe('to-a-leaver@home.example');
  });

  it('refuses a taken replacement with 409 email_in_use and changes nothing', async () => {
    const leaver = await seedDismissed();
    const successor = await seedActiveUser(deps, admin.id);
    const bystander = await seedActiveUser(deps, admin.id);
    await expect(
      transferEmail(deps, admin.id, leaver.loginEmail, { toUserId: successor.id, as: 'login', replacementLoginEmail: bystander.loginEmail }),
    ).rejects.toBeInstanceOf(EmailInUse);
    expect(await getEmailClaim(deps.table, leaver.loginEmail)).toMatchObject({ userId: leaver.id });
    expect(await getEmailClaim(deps.table, successor.loginEmail)).toMatchObject({ userId: successor.id });
  });

  it('refuses to transfer a free address, and answers 404 for an unknown recipient', async () => {
    const recipient = await seedActiveUser(deps, admin.id);
    await expect(transferEmail(deps, admin.id, 'nobody-has-this@corp.example', { toUserId: recipient.id, as: 'contact' })).rejects.toBeInstanceOf(InvalidState);
    const leaver = await seedDismissed({ contactEmail: 'orphan@home.example' });
    await expect(transferEmail(deps, admin.id, 'orphan@home.example', { toUserId: '01JD3ZK1X7Q8M2V5N4R6T9W0YB', as: 'contact' })).rejects.toBeInstanceOf(
      NotFound,
    );
    expect((await getUser(deps.table, leaver.id))!.contactEmail).toBe('orphan@home.example');
  });
});

describe('move to extranet (rule 8)', () => {
  it('keeping the login: dismisses the employee, creates the extranet account holding the login, links both', async () => {
    const employee = await seedActiveUser(deps, admin.id, { contactEmail: 'keeps-contact@home.example' });

    const { dismissed, extranetUser } = await moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [extranetGroup] });

    expect(dismissed).toMatchObject({
      id: employee.id,
      status: 'dismissed',
      type: 'employee',
      loginEmail: tombstoneLogin(employee.id),
      contactEmail: 'keeps-contact@home.example',
      movedToUserId: extranetUser.id,
    });
    expect(extranetUser).toMatchObject({
      type: 'extranet',
      status: 'active',
      loginEmail: employee.loginEmail,
      workgroupIds: [extranetGroup],
      movedFromUserId: employee.id,
      firstName: employee.firstName,
    });
    expect(await lookupEmail(deps, admin.id, employee.loginEmail)).toMatchObject({
      status: 'in_use',
      usedAs: ['login'],
      user: { id: extranetUser.id, type: 'extranet', status: 'active' },
    });
    await expect(rehireUser(deps, admin.id, employee.id)).rejects.toBeInstanceOf(InvalidState);
  });

  it('with a new login: the extranet account claims it and the dismissed profile keeps its addresses', async () => {
    const employee = await seedActiveUser(deps, admin.id);
    const { dismissed, extranetUser } = await moveToExtranet(deps, admin.id, employee.id, {
      workgroupIds: [extranetGroup],
      loginEmail: 'Partner.Login@Vendor.Example',
    });
    expect(dismissed.loginEmail).toBe(employee.loginEmail);
    expect(extranetUser.loginEmail).toBe('partner.login@vendor.example');
    expect(await getEmailClaim(deps.table, employee.loginEmail)).toMatchObject({ userId: employee.id });
    await expect(rehireUser(deps, admin.id, employee.id)).resolves.toMatchObject({ status: 'active' });
  });

  it('refuses intranet or unknown workgroups with 400 and changes nothing', async () => {
    const employee = await seedActiveUser(deps, admin.id);
    await expect(moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [intranetGroup] })).rejects.toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'workgroupIds.0' }],
    });
    await expect(moveToExtranet(deps, admin.id, employee.id, { workgroupIds: ['01JD3ZM4A8TXJ2R9KQ5N7B3C1D'] })).rejects.toBeInstanceOf(InvalidRequest);
    await expect(moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [] })).rejects.toBeInstanceOf(InvalidRequest);
    const after = (await getUser(deps.table, employee.id))!;
    expect(after).toMatchObject({ status: 'active', movedToUserId: null });
    expect(await getEmailClaim(deps.table, employee.loginEmail)).toMatchObject({ userId: employee.id });
  });

  it('refuses a taken new login with 409 and changes nothing', async () => {
    const employee = await seedActiveUser(deps, admin.id);
    await expect(moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [extranetGroup], loginEmail: admin.loginEmail })).rejects.toBeInstanceOf(
      EmailInUse,
    );
    expect((await getUser(deps.table, employee.id))!.status).toBe('active');
  });

  it('moves only active employees', async () => {
    const leaver = await seedDismissed();
    await expect(moveToExtranet(deps, admin.id, leaver.id, { workgroupIds: [extranetGroup] })).rejects.toBeInstanceOf(InvalidState);
    const employee = await seedActiveUser(deps, admin.id);
    const { extranetUser } = await moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [extranetGroup] });
    await expect(moveToExtranet(deps, admin.id, extranetUser.id, { workgroupIds: [extranetGroup] })).rejects.toBeInstanceOf(InvalidState);
  });
});

describe('workgroups (rule 3)', () => {
  it('are created, listed with a cursor, and unique by name regardless of case', async () => {
    const own = await createTestDeps();
    const ownAdmin = await seedAdmin(own);
    const created = await Promise.all(['Alpha', 'Beta', 'Gamma'].map((name, i) => createWorkgroup(own, ownAdmin.id, { name, extranet: i === 0 })));
    await expect(createWorkgroup(own, ownAdmin.id, { name: '  ALPHA ', extranet: false })).rejects.toBeInstanceOf(WorkgroupNameInUse);
    const first = await listWorkgroups(own, ownAdmin.id, 2);
    const second = await listWorkgroups(own, ownAdmin.id, 2, first.nextCursor!);
    expect([...first.items, ...second.items].map((w) => w.id).sort()).toEqual(created.map((w) => w.id).sort());
  });

  it('an extranet invitation must name at least one workgroup, all of them extranet', async () => {
    await expect(inviteUser(deps, admin.id, makeInvite({ type: 'extranet' }))).rejects.toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'workgroupIds' }],
    });
    await expect(inviteUser(deps, admin.id, makeInvite({ type: 'extranet', workgroupIds: [extranetGroup, intranetGroup] }))).rejects.toMatchObject({
      errors: [{ path: 'workgroupIds.1' }],
    });
    await expect(inviteUser(deps, admin.id, makeInvite({ type: 'extranet', workgroupIds: [extranetGroup] }))).resolves.toMatchObject({
      type: 'extranet',
      workgroupIds: [extranetGroup],
    });
    await expect(inviteUser(deps, admin.id, makeInvite({ type: 'employee', workgroupIds: [intranetGroup, extranetGroup] }))).resolves.toMatchObject({
      type: 'employee',
    });
  });

  it('extranet users join only extranet workgroups and keep at least one; employees join any', async () => {
    const partner = await seedActiveUser(deps, admin.id, { type: 'extranet', workgroupIds: [extranetGroup] });
    await expect(addWorkgroupMember(deps, admin.id, intranetGroup, partner.id)).rejects.toBeInstanceOf(InvalidState);
    await expect(removeWorkgroupMember(deps, admin.id, extranetGroup, partner.id)).rejects.toBeInstanceOf(InvalidState);
    const second = (await createWorkgroup(deps, admin.id, { name: 'Second partner project', extranet: true })).id;
    expect((await addWorkgroupMember(deps, admin.id, second, partner.id)).workgroupIds).toEqual([extranetGroup, second]);
    expect((await removeWorkgroupMember(deps, admin.id, extranetGroup, partner.id)).workgroupIds).toEqual([second]);

    const employee = await seedActiveUser(deps, admin.id);
    expect((await addWorkgroupMember(deps, admin.id, intranetGroup, employee.id)).workgroupIds).toEqual([intranetGroup]);
    expect((await addWorkgroupMember(deps, admin.id, extranetGroup, employee.id)).workgroupIds).toEqual([intranetGroup, extranetGroup]);
  });

  it('membership changes are idempotent and audited; unknown workgroups are 404', async () => {
    const employee = await seedActiveUser(deps, admin.id);
    const joined = await addWorkgroupMember(deps, admin.id, intranetGroup, employee.id);
    expect((await addWorkgroupMember(deps, admin.id, intranetGroup, employee.id)).version).toBe(joined.version);
    const left = await removeWorkgroupMember(deps, admin.id, intranetGroup, employee.id);
    expect((await removeWorkgroupMember(deps, admin.id, intranetGroup, employee.id)).version).toBe(left.version);
    expect((await listAudit(deps.table, employee.id, 2)).items.map((e) => e.action)).toEqual(['user.workgroup_left', 'user.workgroup_joined']);
    await expect(addWorkgroupMember(deps, admin.id, '01JD3ZM4A8TXJ2R9KQ5N7B3C1D', employee.id)).rejects.toBeInstanceOf(NotFound);
  });
});

describe('afterwards', () => {
  it('every address a user holds has exactly one claim naming them, and no claim is stray', async () => {
    await expectClaimsConsistent(deps.table);
  });
});
