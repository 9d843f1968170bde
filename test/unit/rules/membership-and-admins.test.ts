import { describe, expect, it } from 'vitest';
import { activeAdminDelta, assertAdmin, isActiveAdmin, setAdmin } from '../../../lib/domain/admins';
import { InvalidRequest, InvalidState, Forbidden, TokenInvalid } from '../../../lib/domain/errors';
import { joinWorkgroup, leaveWorkgroup, MAX_WORKGROUPS_PER_USER, moveToExtranet } from '../../../lib/domain/extranet';
import { acceptInvitation, invite } from '../../../lib/domain/invitation';
import { tombstoneLogin } from '../../../lib/domain/user';
import { aUser, context, NOW } from '../../support/domain';

describe('rule 3: invitations, employees and extranet users', () => {
  const settings = { invitationTtlHours: 168 };
  const command = { type: 'employee' as const, loginEmail: 'new@corp.example', firstName: 'New', lastName: 'Person' };

  it('invites an invited user, stores the invitation and asks for its mail', () => {
    const change = invite(command, context(), settings);
    expect(change.users[0]).toMatchObject({
      before: null,
      action: 'user.invited',
      after: { status: 'invited', loginEmail: 'new@corp.example', contactEmail: null, isAdmin: false },
    });
    expect(change.effects.map((e) => e.type)).toEqual(['storePending', 'mailLink']);
  });

  it('an extranet invitation names at least one workgroup, each required to be an extranet one', () => {
    expect(() => invite({ ...command, type: 'extranet' }, context(), settings)).toThrow(InvalidRequest);
    const change = invite({ ...command, type: 'extranet', workgroupIds: ['W1', 'W2', 'W1'] }, context(), settings);
    expect(change.effects.filter((e) => e.type === 'requireWorkgroup')).toEqual([
      { type: 'requireWorkgroup', workgroupId: 'W1', extranet: true, field: 'workgroupIds.0' },
      { type: 'requireWorkgroup', workgroupId: 'W2', extranet: true, field: 'workgroupIds.1' },
    ]);
  });

  it('accepting activates the invited user and uses the link up; anything else is an invalid token', () => {
    const invited = aUser({ status: 'invited' });
    const ok = { expiresAt: new Date(NOW.getTime() + 1000).toISOString() };
    expect(acceptInvitation(invited, ok, 'H', context()).users[0]).toMatchObject({ after: { status: 'active' }, action: 'invitation.accepted' });
    for (const [user, pending, hash] of [
      [aUser({ status: 'active' }), ok, 'H'],
      [invited, { expiresAt: NOW.toISOString() }, 'H'],
      [invited, ok, undefined],
      [undefined, ok, 'H'],
    ] as const) {
      expect(() => acceptInvitation(user, pending, hash, context())).toThrow(TokenInvalid);
    }
  });

  it.each([
    [
      'joins an intranet group',
      aUser(),
      'W9',
      (c: ReturnType<typeof joinWorkgroup>) => expect(c!.effects).toEqual([{ type: 'requireWorkgroup', workgroupId: 'W9', extranet: false, field: null }]),
    ],
    [
      'an extranet user joins only extranet groups',
      aUser({ type: 'extranet', workgroupIds: ['W1'] }),
      'W9',
      (c: ReturnType<typeof joinWorkgroup>) => expect(c!.effects[0]).toMatchObject({ extranet: true }),
    ],
    ['joining twice changes nothing', aUser({ workgroupIds: ['W9'] }), 'W9', (c: ReturnType<typeof joinWorkgroup>) => expect(c).toBeUndefined()],
  ])('%s', (_what, user, workgroupId, check) => {
    check(joinWorkgroup(user, workgroupId, context()));
  });

  it('refuses dismissed users and a full list; an extranet user keeps their last workgroup', () => {
    expect(() => joinWorkgroup(aUser({ status: 'dismissed' }), 'W', context())).toThrow(InvalidState);
    expect(() => joinWorkgroup(aUser({ workgroupIds: Array.from({ length: MAX_WORKGROUPS_PER_USER }, (_, i) => `W${i}`) }), 'X', context())).toThrow(
      InvalidState,
    );
    expect(() => leaveWorkgroup(aUser({ type: 'extranet', workgroupIds: ['W1'] }), 'W1', context())).toThrow(/last workgroup/);
    expect(leaveWorkgroup(aUser({ type: 'extranet', workgroupIds: ['W1', 'W2'] }), 'W1', context())!.users[0]!.after.workgroupIds).toEqual(['W2']);
  });
});

describe('rule 8: move to extranet', () => {
  it('keeping the login: it moves to the extranet account, the profile gets a tombstone and loses admin rights', () => {
    const employee = aUser({ isAdmin: true, contactEmail: 'me@home.example' });
    const change = moveToExtranet(employee, { workgroupIds: ['W1'] }, context());
    const [dismissed, extranet] = change.users.map((u) => u.after);
    expect(dismissed).toMatchObject({
      status: 'dismissed',
      isAdmin: false,
      loginEmail: tombstoneLogin(employee.id),
      contactEmail: 'me@home.example',
      movedToUserId: extranet!.id,
    });
    expect(extranet).toMatchObject({
      type: 'extranet',
      status: 'active',
      loginEmail: employee.loginEmail,
      contactEmail: null,
      movedFromUserId: employee.id,
      workgroupIds: ['W1'],
    });
    expect(change.effects).toEqual([
      { type: 'requireWorkgroup', workgroupId: 'W1', extranet: true, field: 'workgroupIds.0' },
      { type: 'dropPending', kind: 'loginChange', userId: employee.id },
    ]);
  });

  it('with a new login the profile keeps its own; naming the contact address moves it off the profile', () => {
    const employee = aUser({ contactEmail: 'me@home.example' });
    const [profile, account] = moveToExtranet(employee, { workgroupIds: ['W1'], loginEmail: 'me@home.example' }, context()).users.map((u) => u.after);
    expect(profile).toMatchObject({ loginEmail: employee.loginEmail, contactEmail: null });
    expect(account).toMatchObject({ loginEmail: 'me@home.example' });
  });

  it.each([
    ['an extranet user', aUser({ type: 'extranet' }), ['W1'], InvalidState],
    ['a dismissed employee', aUser({ status: 'dismissed' }), ['W1'], InvalidState],
    ['no workgroup', aUser(), [], InvalidRequest],
  ])('refuses %s', (_what, employee, workgroupIds, error) => {
    expect(() => moveToExtranet(employee, { workgroupIds }, context())).toThrow(error);
  });
});

describe('rule 10: admins', () => {
  it('only an active admin acts as one', () => {
    expect(() => assertAdmin(aUser({ isAdmin: true, status: 'dismissed' }))).toThrow(Forbidden);
    expect(() => assertAdmin(aUser())).toThrow(Forbidden);
    expect(() => assertAdmin(undefined)).toThrow(Forbidden);
    expect(isActiveAdmin(aUser({ isAdmin: true }))).toBe(true);
  });

  it('grants to active users only; an admin cannot revoke themselves', () => {
    expect(setAdmin(aUser(), true, context())!.users[0]!.action).toBe('user.admin_granted');
    expect(() => setAdmin(aUser({ status: 'dismissed' }), true, context())).toThrow(InvalidState);
    const me = aUser({ isAdmin: true });
    expect(() => setAdmin(me, false, context({ actorId: me.id }))).toThrow(/your own admin rights/);
    expect(setAdmin(me, true, context())).toBeUndefined();
  });

  it.each([
    ['a dismissal of an admin', aUser({ isAdmin: true }), { status: 'dismissed' as const, isAdmin: false }, -1],
    ['a revoke', aUser({ isAdmin: true }), { isAdmin: false }, -1],
    ['a grant', aUser(), { isAdmin: true }, 1],
    ['a rehire (rights stay ended)', aUser({ status: 'dismissed' }), { status: 'active' as const }, 0],
    ['an unrelated change', aUser({ isAdmin: true }), { firstName: 'X' }, 0],
  ])('%s moves the active-admin count by %#', (_what, before, patch, delta) => {
    expect(activeAdminDelta([before], [{ ...before, ...patch }]).delta).toBe(delta);
  });
});
