import { beforeAll, describe, expect, it } from 'vitest';
import { EmailInUse, Forbidden, InvalidRequest } from '../../lib/domain/errors';
import type { User } from '../../lib/domain/user';
import { encodeCursor } from '../../lib/data/pagination';
import { listAudit } from '../../lib/data/audit';
import { listUsers } from '../../lib/data/users';
import { confirmLoginEmailChange, moveToExtranet, requestLoginEmailChange, transferEmail } from '../../lib/use-cases/address-moves';
import { bootstrapAdmin, dismissUser, inviteUser, rehireUser, setAdmin } from '../../lib/use-cases/users';
import { createWorkgroup } from '../../lib/use-cases/workgroups';
import { createTestDeps, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { expectClaimsConsistent } from '../support/invariants';

let deps: TestDeps;
let admin: User;
let partners: string;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
  partners = (await createWorkgroup(deps, admin.id, { name: 'Partners', extranet: true })).id;
});

const seedDismissed = async (fields: Parameters<typeof seedActiveUser>[2] = {}) =>
  dismissUser(deps, admin.id, (await seedActiveUser(deps, admin.id, fields)).id, {});

describe('no two users ever hold one address, whatever a multi-user change asks for', () => {
  it('transfer refuses a replacement login the recipient keeps (their login), and changes nothing', async () => {
    const holder = await seedDismissed();
    const recipient = await seedActiveUser(deps, admin.id);
    const error = await transferEmail(deps, admin.id, holder.loginEmail, {
      toUserId: recipient.id,
      as: 'contact',
      replacementLoginEmail: recipient.loginEmail,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUse);
    expect(error).toMatchObject({ email: recipient.loginEmail, holder: { id: recipient.id } });
    await expectClaimsConsistent(deps.table);
  });

  it("transfer refuses a replacement login that is the recipient's contact address", async () => {
    const holder = await seedDismissed();
    const recipient = await seedActiveUser(deps, admin.id, { contactEmail: 'kept-contact@home.example' });
    await expect(
      transferEmail(deps, admin.id, holder.loginEmail, { toUserId: recipient.id, as: 'login', replacementLoginEmail: 'kept-contact@home.example' }),
    ).rejects.toBeInstanceOf(EmailInUse);
    await expectClaimsConsistent(deps.table);
  });

  it('transfer may still swap: the replacement is the login the recipient gives up', async () => {
    const holder = await seedDismissed();
    const recipient = await seedActiveUser(deps, admin.id);
    const { from, to } = await transferEmail(deps, admin.id, holder.loginEmail, {
      toUserId: recipient.id,
      as: 'login',
      replacementLoginEmail: recipient.loginEmail,
    });
    expect([from.loginEmail, to.loginEmail]).toEqual([recipient.loginEmail, holder.loginEmail]);
    await expectClaimsConsistent(deps.table);
  });

  it("move to extranet with loginEmail = the employee's own login keeps it (the login moves)", async () => {
    const employee = await seedActiveUser(deps, admin.id);
    const { dismissed, extranetUser } = await moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [partners], loginEmail: employee.loginEmail });
    expect(extranetUser.loginEmail).toBe(employee.loginEmail);
    expect(dismissed.loginEmail).not.toBe(employee.loginEmail);
    await expectClaimsConsistent(deps.table);
  });

  it("move to extranet with loginEmail = the employee's contact address moves that address off the profile", async () => {
    const employee = await seedActiveUser(deps, admin.id, { contactEmail: 'private@home.example' });
    const { dismissed, extranetUser } = await moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [partners], loginEmail: 'private@home.example' });
    expect(extranetUser.loginEmail).toBe('private@home.example');
    expect(dismissed).toMatchObject({ loginEmail: employee.loginEmail, contactEmail: null });
    await expectClaimsConsistent(deps.table);
  });

  it('a login change requested before a move to extranet cannot be confirmed afterwards', async () => {
    const employee = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, employee.id, 'before-move@corp.example');
    const token = (await deps.sentMail()).findLast((m) => m.to === 'before-move@corp.example')!.token;
    await moveToExtranet(deps, admin.id, employee.id, { workgroupIds: [partners] });
    await expect(confirmLoginEmailChange(deps, token)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(rehireUser(deps, admin.id, employee.id)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('admin rights are checked in the transaction, not only when read', () => {
  it('two admins dismissing each other at once: at most one succeeds, an admin remains', async () => {
    const a = await seedAdmin(deps);
    const b = await seedAdmin(deps);
    const results = await Promise.allSettled([dismissUser(deps, a.id, b.id, {}), dismissUser(deps, b.id, a.id, {})]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(Forbidden);
  });
});

describe('cursors', () => {
  it('a cursor from another filter of the same listing is a 400, not a DynamoDB error', async () => {
    await seedActiveUser(deps, admin.id);
    const page = await listUsers(deps.table, { status: 'active', type: 'employee', limit: 1 });
    await expect(listUsers(deps.table, { status: 'active', type: 'extranet', limit: 1, cursor: page.nextCursor! })).rejects.toBeInstanceOf(InvalidRequest);
    const notAnAuditKey = encodeCursor({ pk: `USER#${admin.id}`, sk: 'PROFILE' })!;
    await expect(listAudit(deps.table, admin.id, 5, notAnAuditKey)).rejects.toBeInstanceOf(InvalidRequest);
  });
});

describe('addresses', () => {
  it.each([
    ['a NUL character', 'a\u0000b@corp.example'],
    ['a zero-width space', 'admin\u200b@corp.example'],
    ['a lone surrogate', '\ud800x@corp.example'],
    ['a no-break space', 'a\u00a0b@corp.example'],
  ])('with %s are refused', async (_, address) => {
    await expect(inviteUser(deps, admin.id, makeInvite({ loginEmail: address }))).rejects.toBeInstanceOf(InvalidRequest);
  });
});

describe('bootstrap', () => {
  it('refuses to report an admin when the address belongs to someone who is not an active admin', async () => {
    const member = await seedActiveUser(deps, admin.id);
    await expect(bootstrapAdmin(deps, member.loginEmail)).rejects.toThrow(/not an active admin/);
    await setAdmin(deps, admin.id, member.id, true);
    await expect(bootstrapAdmin(deps, member.loginEmail)).resolves.toMatchObject({ created: false, user: { id: member.id } });
  });
});
