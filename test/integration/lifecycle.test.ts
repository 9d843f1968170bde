import { beforeAll, describe, expect, it } from 'vitest';
import { EmailInUse, ExternalIdInUse, Forbidden, InvalidState, NotFound, TokenInvalid } from '../../lib/domain/errors';
import { listAudit } from '../../lib/data/audit';
import { getEmailClaim } from '../../lib/data/claims';
import { keys } from '../../lib/data/keys';
import { getUser } from '../../lib/data/users';
import { auditTrail, lookupEmail } from '../../lib/use-cases/lookups';
import {
  acceptInvitation,
  bootstrapAdmin,
  dismissUser,
  getUserById,
  inviteUser,
  listUsers,
  rehireUser,
  setAdmin,
  setContactEmail,
} from '../../lib/use-cases/users';
import { createTestDeps, itemsWithPrefix, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { toUserView, type User } from '../../lib/domain/user';
import { runDueDismissals } from '../../lib/use-cases/scheduled-dismissals';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const lastToken = async (to: string) => (await deps.sentMail()).findLast((entry) => entry.to === to)!.token;

describe('inviting', () => {
  it('creates an invited user holding both addresses, mails a token to the login address and audits', async () => {
    const user = await inviteUser(deps, admin.id, makeInvite({ loginEmail: ' Ann.Lee@Corp.Example ', contactEmail: 'ann@home.example' }));

    expect(user).toMatchObject({ status: 'invited', type: 'employee', loginEmail: 'ann.lee@corp.example', contactEmail: 'ann@home.example', isAdmin: false });
    expect(await getEmailClaim(deps.table, 'ann.lee@corp.example')).toEqual({ email: 'ann.lee@corp.example', userId: user.id, roles: ['login'] });
    expect(await getEmailClaim(deps.table, 'ann@home.example')).toEqual({ email: 'ann@home.example', userId: user.id, roles: ['contact'] });
    const mail = (await deps.sentMail()).at(-1)!;
    expect(mail).toMatchObject({ to: 'ann.lee@corp.example', kind: 'invitation' });
    expect(mail.text).toContain('expires');
    const audit = await listAudit(deps.table, user.id, 10);
    expect(audit.items).toHaveLength(2);
    expect(audit.items[1]).toMatchObject({ action: 'user.invited', actorId: admin.id, before: null });
    // The mail worker issued the link: a system action, naming the address and the expiry.
    expect(audit.items[0]).toMatchObject({
      action: 'invitation.link_issued',
      actorId: null,
      before: null,
      after: { to: 'ann.lee@corp.example', expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
    });
  });

  it('stores only the hash of the invitation token', async () => {
    const user = await inviteUser(deps, admin.id, makeInvite());
    const token = await lastToken(user.loginEmail);
    const [invitation] = (await itemsWithPrefix(deps.table, keys.invitation(user.id).pk)).filter((item) => item.sk === 'INVITATION');
    expect(JSON.stringify(invitation)).not.toContain(token.split('.')[1]);
  });

  it('lets one user hold the same address as login and contact, in a single claim', async () => {
    const user = await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'same@corp.example', contactEmail: 'Same@Corp.Example' }));
    expect(await getEmailClaim(deps.table, 'same@corp.example')).toMatchObject({ userId: user.id, roles: ['login', 'contact'] });
  });

  it.each([
    ['login', 'taken-login@corp.example', { loginEmail: 'taken-login@corp.example' }],
    ['contact', 'taken-contact@corp.example', { contactEmail: 'taken-contact@corp.example' }],
  ] as const)('refuses an address already used as %s, naming the holder, and leaves no claim behind', async (role, address, holderFields) => {
    const holder = await inviteUser(deps, admin.id, makeInvite(holderFields));
    const fresh = makeInvite({ loginEmail: `fresh-${role}@corp.example`, contactEmail: address });

    const error = await inviteUser(deps, admin.id, fresh).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EmailInUse);
    expect(error).toMatchObject({ email: address, usedAs: [role], holder: { id: holder.id, status: 'invited', type: 'employee' } });
    expect(await getEmailClaim(deps.table, fresh.loginEmail)).toBeUndefined();
  });

  it('refuses an address held by a dismissed user (the seed scenario)', async () => {
    const leaver = await seedActiveUser(deps, admin.id, { loginEmail: 'leaver@corp.example' });
    await dismissUser(deps, admin.id, leaver.id, {});

    const error = await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'LEAVER@corp.example' })).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'email_in_use', usedAs: ['login'], holder: { id: leaver.id, status: 'dismissed' } });
  });

  it('treats dots and plus tags as different addresses', async () => {
    await inviteUser(deps, admin.id, makeInvite({ loginEmail: 'a.b+x@corp.example' }));
    await expect(inviteUser(deps, admin.id, makeInvite({ loginEmail: 'ab@corp.example' }))).resolves.toMatchObject({ status: 'invited' });
  });

  it('keeps external ids unique too', async () => {
    const first = await inviteUser(deps, admin.id, makeInvite({ externalId: 'HR-1' }));
    const error = await inviteUser(deps, admin.id, makeInvite({ externalId: 'HR-1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalIdInUse);
    expect(error).toMatchObject({ externalId: 'HR-1', userId: first.id });
  });

  it('is refused to non-admins, and to admins who were dismissed', async () => {
    const member = await seedActiveUser(deps, admin.id);
    await expect(inviteUser(deps, member.id, makeInvite())).rejects.toBeInstanceOf(Forbidden);
    const formerAdmin = await seedActiveUser(deps, admin.id);
    await setAdmin(deps, admin.id, formerAdmin.id, true);
    await dismissUser(deps, admin.id, formerAdmin.id, {});
    await expect(inviteUser(deps, formerAdmin.id, makeInvite())).rejects.toBeInstanceOf(Forbidden);
  });
});

describe('accepting an invitation', () => {
  it('activates the user once; the same token is then invalid', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const token = await lastToken(invited.loginEmail);

    const active = await acceptInvitation(deps, token);

    expect(active.status).toBe('active');
    await expect(acceptInvitation(deps, token)).rejects.toBeInstanceOf(TokenInvalid);
    const actions = (await listAudit(deps.table, invited.id, 10)).items.map((entry) => entry.action);
    expect(actions).toEqual(['invitation.accepted', 'invitation.link_issued', 'user.invited']);
  });

  it('rejects an expired token, a forged secret and garbage', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const token = await lastToken(invited.loginEmail);
    const forged = `${invited.id}.${'A'.repeat(43)}`;
    await expect(acceptInvitation(deps, forged)).rejects.toBeInstanceOf(TokenInvalid);
    await expect(acceptInvitation(deps, 'garbage')).rejects.toBeInstanceOf(TokenInvalid);

    deps.setNow(new Date(Date.now() + 8 * 24 * 3600_000));
    try {
      await expect(acceptInvitation(deps, token)).rejects.toBeInstanceOf(TokenInvalid);
    } finally {
      deps.setNow(null);
    }
    expect((await getUser(deps.table, invited.id))!.status).toBe('invited');
  });

  it('accepting twice at once activates exactly once', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const token = await lastToken(invited.loginEmail);
    const results = await Promise.allSettled([acceptInvitation(deps, token), acceptInvitation(deps, token), acceptInvitation(deps, token)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof TokenInvalid)).toBe(true);
    expect((await listAudit(deps.table, invited.id, 10)).items.filter((entry) => entry.action === 'invitation.accepted')).toHaveLength(1);
  });
});

describe('dismissing and rehiring', () => {
  it('dismisses an active user, who keeps both addresses, and rehires them with the same addresses', async () => {
    const user = await seedActiveUser(deps, admin.id, { contactEmail: 'keep-me@home.example' });

    const dismissed = await dismissUser(deps, admin.id, user.id, {});
    expect(dismissed).toMatchObject({ status: 'dismissed' });
    expect(dismissed.dismissedAt).not.toBeNull();
    expect(await lookupEmail(deps, admin.id, 'keep-me@home.example')).toMatchObject({
      status: 'in_use',
      usedAs: ['contact'],
      user: { id: user.id, status: 'dismissed' },
    });

    const rehired = await rehireUser(deps, admin.id, user.id);
    expect(rehired).toMatchObject({ status: 'active', dismissedAt: null, loginEmail: user.loginEmail, contactEmail: 'keep-me@home.example' });
  });

  it('guards every transition with 409 invalid_state', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    await expect(dismissUser(deps, admin.id, invited.id, {})).rejects.toBeInstanceOf(InvalidState);
    await expect(rehireUser(deps, admin.id, invited.id)).rejects.toBeInstanceOf(InvalidState);
    const active = await seedActiveUser(deps, admin.id);
    await expect(rehireUser(deps, admin.id, active.id)).rejects.toBeInstanceOf(InvalidState);
    await dismissUser(deps, admin.id, active.id, {});
    await expect(dismissUser(deps, admin.id, active.id, {})).rejects.toBeInstanceOf(InvalidState);
    await expect(dismissUser(deps, admin.id, admin.id, {})).rejects.toBeInstanceOf(InvalidState);
  });

  it('records an active delegate and refuses a dismissed or missing one', async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const gone = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, gone.id, {});

    await expect(dismissUser(deps, admin.id, leaver.id, { delegateId: gone.id })).rejects.toBeInstanceOf(InvalidState);
    await expect(dismissUser(deps, admin.id, leaver.id, { delegateId: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' })).rejects.toBeInstanceOf(NotFound);
    const dismissed = await dismissUser(deps, admin.id, leaver.id, { delegateId: delegate.id });
    expect(dismissed.handoverJobId).not.toBeNull();
    expect((await listAudit(deps.table, leaver.id, 1)).items[0]).toMatchObject({ action: 'user.dismissed', after: { status: 'dismissed' } });
  });

  it('schedules a future-dated dismissal, visible on the user, and carries it out when it is due', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const effectiveAt = new Date(Date.now() + 3 * 86_400_000).toISOString();

    const scheduled = await dismissUser(deps, admin.id, user.id, { effectiveAt, delegateId: delegate.id });
    expect(scheduled).toMatchObject({ status: 'active', scheduledDismissal: { effectiveAt, delegateId: delegate.id } });
    expect(toUserView(scheduled).scheduledDismissalAt).toBe(effectiveAt);
    expect((await runDueDismissals(deps)).dismissed).not.toContain(user.id);

    deps.setNow(new Date(Date.parse(effectiveAt) + 1000));
    try {
      const report = await runDueDismissals(deps);
      expect(report.dismissed).toContain(user.id);
    } finally {
      deps.setNow(null);
    }
    await deps.jobs.idle();
    const dismissed = (await getUser(deps.table, user.id))!;
    expect(dismissed).toMatchObject({ status: 'dismissed', dismissedAt: effectiveAt, scheduledDismissal: null });
    expect(dismissed.handoverJobId).not.toBeNull();
    expect(dismissed.handoverJobId).not.toBeNull();
    expect((await listAudit(deps.table, user.id, 3)).items.map((e) => [e.action, e.after?.source])).toEqual([
      ['work.handed_over', undefined],
      ['user.dismissed', 'schedule'],
      ['user.dismissal_scheduled', 'admin'],
    ]);
  });

  it('a rehire cancels a scheduled dismissal, so nothing happens when it would have been due', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const effectiveAt = new Date(Date.now() + 86_400_000).toISOString();
    await dismissUser(deps, admin.id, user.id, { effectiveAt });

    const cancelled = await rehireUser(deps, admin.id, user.id);
    expect(cancelled).toMatchObject({ status: 'active', scheduledDismissal: null });

    deps.setNow(new Date(Date.parse(effectiveAt) + 1000));
    try {
      expect((await runDueDismissals(deps)).dismissed).not.toContain(user.id);
    } finally {
      deps.setNow(null);
    }
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
  });

  it('refuses a dismissal dated before the user existed', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await expect(dismissUser(deps, admin.id, user.id, { effectiveAt: '1970-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('answers not_found for unknown users', async () => {
    await expect(rehireUser(deps, admin.id, '01JD3ZK1X7Q8M2V5N4R6T9W0YB')).rejects.toBeInstanceOf(NotFound);
    await expect(getUserById(deps, admin.id, '01JD3ZK1X7Q8M2V5N4R6T9W0YB')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('contact email (rule 5)', () => {
  it('changing it claims the new address and frees the old one in the same write', async () => {
    const user = await seedActiveUser(deps, admin.id, { contactEmail: 'old-contact@home.example' });

    const changed = await setContactEmail(deps, admin.id, user.id, 'new-contact@home.example');

    expect(changed.contactEmail).toBe('new-contact@home.example');
    expect(await getEmailClaim(deps.table, 'old-contact@home.example')).toBeUndefined();
    expect(await getEmailClaim(deps.table, 'new-contact@home.example')).toMatchObject({ userId: user.id, roles: ['contact'] });
    expect((await listAudit(deps.table, user.id, 1)).items[0]).toMatchObject({
      action: 'user.contact_email_changed',
      before: { contactEmail: 'old-contact@home.example' },
      after: { contactEmail: 'new-contact@home.example' },
    });
  });

  it("clearing a dismissed user's contact email frees it for a new invite (the seed's manual step)", async () => {
    const leaver = await seedActiveUser(deps, admin.id, { contactEmail: 'shared@corp.example' });
    await dismissUser(deps, admin.id, leaver.id, {});

    await setContactEmail(deps, admin.id, leaver.id, null);

    await expect(inviteUser(deps, admin.id, makeInvite({ loginEmail: 'shared@corp.example' }))).resolves.toMatchObject({ status: 'invited' });
  });

  it("setting it to the user's own login keeps one claim with both roles; moving it away keeps the login", async () => {
    const user = await seedActiveUser(deps, admin.id);
    await setContactEmail(deps, admin.id, user.id, user.loginEmail);
    expect(await getEmailClaim(deps.table, user.loginEmail)).toMatchObject({ userId: user.id, roles: ['login', 'contact'] });
    await setContactEmail(deps, admin.id, user.id, null);
    expect(await getEmailClaim(deps.table, user.loginEmail)).toMatchObject({ userId: user.id, roles: ['login'] });
  });

  it("refuses another user's address and changes nothing", async () => {
    const holder = await seedActiveUser(deps, admin.id);
    const user = await seedActiveUser(deps, admin.id, { contactEmail: 'mine@home.example' });
    await expect(setContactEmail(deps, admin.id, user.id, holder.loginEmail)).rejects.toMatchObject({ code: 'email_in_use', usedAs: ['login'] });
    expect((await getUser(deps.table, user.id))!.contactEmail).toBe('mine@home.example');
    expect(await getEmailClaim(deps.table, 'mine@home.example')).toMatchObject({ userId: user.id });
  });

  it('setting the same address again writes nothing', async () => {
    const user = await seedActiveUser(deps, admin.id, { contactEmail: 'same-again@home.example' });
    const unchanged = await setContactEmail(deps, admin.id, user.id, 'same-again@home.example');
    expect(unchanged.version).toBe(user.version);
  });
});

describe('admin rights (rule 10)', () => {
  it('grants and revokes, audited; an admin cannot revoke themselves', async () => {
    const user = await seedActiveUser(deps, admin.id);
    expect((await setAdmin(deps, admin.id, user.id, true)).isAdmin).toBe(true);
    await expect(inviteUser(deps, user.id, makeInvite())).resolves.toBeDefined();
    await expect(setAdmin(deps, user.id, user.id, false)).rejects.toBeInstanceOf(InvalidState);
    expect((await setAdmin(deps, admin.id, user.id, false)).isAdmin).toBe(false);
    await expect(inviteUser(deps, user.id, makeInvite())).rejects.toBeInstanceOf(Forbidden);
    const actions = (await listAudit(deps.table, user.id, 2)).items.map((e) => e.action);
    expect(actions).toEqual(['user.admin_revoked', 'user.admin_granted']);
  });

  it('cannot be granted to an invited user', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite());
    await expect(setAdmin(deps, admin.id, invited.id, true)).rejects.toBeInstanceOf(InvalidState);
  });
});

describe('reading', () => {
  it('looks up free and used addresses', async () => {
    expect(await lookupEmail(deps, admin.id, 'nobody@corp.example')).toEqual({ email: 'nobody@corp.example', status: 'free' });
    const user = await inviteUser(deps, admin.id, makeInvite());
    expect(await lookupEmail(deps, admin.id, user.loginEmail)).toEqual({
      email: user.loginEmail,
      status: 'in_use',
      usedAs: ['login'],
      user: { id: user.id, status: 'invited', type: 'employee' },
    });
  });

  it('lists users by status and type with cursor pagination, each user exactly once', async () => {
    const own = await createTestDeps();
    const ownAdmin = await seedAdmin(own);
    const invited = await Promise.all(Array.from({ length: 5 }, () => inviteUser(own, ownAdmin.id, makeInvite())));
    const active = await seedActiveUser(own, ownAdmin.id);

    const collect = async (filter: { status?: 'invited' | 'active' | 'dismissed'; type?: 'employee' | 'extranet' }) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listUsers(own, ownAdmin.id, { ...filter, limit: 2, cursor });
        ids.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids.sort();
    };

    expect(await collect({ status: 'invited' })).toEqual(invited.map((u) => u.id).sort());
    expect(await collect({ status: 'active', type: 'employee' })).toEqual([ownAdmin.id, active.id].sort());
    expect(await collect({ type: 'employee' })).toHaveLength(7);
    expect(await collect({})).toHaveLength(7);
    expect(await collect({ type: 'extranet' })).toEqual([]);
  });

  it('returns the audit trail newest first, paginated', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, user.id, {});
    await rehireUser(deps, admin.id, user.id);
    const first = await auditTrail(deps, admin.id, user.id, 3);
    const second = await auditTrail(deps, admin.id, user.id, 3, first.nextCursor!);
    expect(first.items).toHaveLength(3);
    expect([...first.items, ...second.items].map((e) => e.action)).toEqual([
      'user.rehired',
      'user.dismissed',
      'invitation.accepted',
      'invitation.link_issued',
      'user.invited',
    ]);
  });
});

describe('bootstrap', () => {
  it('creates the first admin once and returns the holder afterwards', async () => {
    const own = await createTestDeps();
    const first = await bootstrapAdmin(own, 'boss@corp.example');
    const again = await bootstrapAdmin(own, 'boss@corp.example');
    expect(first).toMatchObject({ created: true, user: { isAdmin: true, status: 'active' } });
    expect(again).toMatchObject({ created: false, user: { id: first.user.id } });
  });
});
