import { describe, expect, it } from 'vitest';
import { dismiss, dueDismissal, handsOver, reassign, rehire } from '../../../lib/domain/dismissal';
import { InvalidRequest, InvalidState } from '../../../lib/domain/errors';
import { aUser, context, NOW } from '../../support/domain';

const later = new Date(NOW.getTime() + 86_400_000).toISOString();
const earlier = new Date(NOW.getTime() - 86_400_000).toISOString();

describe('rule 9: dismissal', () => {
  it('dismisses an active user now: status, time, and admin rights end', () => {
    const target = aUser({ isAdmin: true });
    const change = dismiss(target, {}, context());
    expect(change.users).toEqual([
      expect.objectContaining({
        before: target,
        action: 'user.dismissed',
        after: expect.objectContaining({ status: 'dismissed', isAdmin: false, dismissedAt: NOW.toISOString(), dismissalRecordedAt: NOW.toISOString() }),
      }),
    ]);
    expect(change).toMatchObject({ asAdmin: true, effects: [] });
  });

  it('keeps both addresses (rule 2): a dismissal changes no address', () => {
    const target = aUser({ contactEmail: 'me@home.example' });
    const { after } = dismiss(target, {}, context()).users[0]!;
    expect([after.loginEmail, after.contactEmail]).toEqual([target.loginEmail, 'me@home.example']);
  });

  it('with an active delegate, starts a handover job for everything the leaver holds', () => {
    const target = aUser();
    const delegate = aUser();
    const change = dismiss(target, { delegate }, context());
    const job = change.effects[0]!.type === 'handover' ? change.effects[0]!.job : undefined;
    expect(job).toMatchObject({ reason: 'dismissal', fromUserId: target.id, toUserId: delegate.id, status: 'pending' });
    expect(change.users[0]!.after.handoverJobId).toBe(job!.id);
    expect(handsOver(job!, { updatedAt: later })).toBe(true);
  });

  it('a future effectiveAt schedules instead, changing nothing else', () => {
    const target = aUser();
    const change = dismiss(target, { effectiveAt: later }, context());
    expect(change.users[0]).toMatchObject({
      action: 'user.dismissal_scheduled',
      after: { status: 'active', scheduledDismissal: { effectiveAt: later, requestedBy: 'ADMIN', source: 'admin' } },
    });
  });

  it('a past effectiveAt dismisses as of then; retention still counts from now', () => {
    const { after } = dismiss(aUser(), { effectiveAt: earlier }, context()).users[0]!;
    expect(after).toMatchObject({ dismissedAt: earlier, dismissalRecordedAt: NOW.toISOString() });
  });

  it.each([
    ['a dismissed user', aUser({ status: 'dismissed' }), {}, InvalidState],
    ['an invited user', aUser({ status: 'invited' }), {}, InvalidState],
    ['a dismissed delegate', aUser(), { delegate: aUser({ status: 'dismissed' }) }, InvalidState],
    ['a date before the user existed', aUser(), { effectiveAt: '2020-01-01T00:00:00.000Z' }, InvalidRequest],
  ] as const)('refuses %s', (_what, target, command, error) => {
    expect(() => dismiss(target, command, context())).toThrow(error);
  });

  it('refuses the actor dismissing themselves and a user delegating to themselves', () => {
    const target = aUser();
    expect(() => dismiss(target, {}, context({ actorId: target.id }))).toThrow(/yourself/);
    expect(() => dismiss(target, { delegate: target }, context())).toThrow(/own delegate/);
  });

  it('names the field of a bad date in command terms', () => {
    try {
      dismiss(aUser(), { effectiveAt: '2020-01-01T00:00:00.000Z' }, context());
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidRequest).errors[0]!.path).toBe('effectiveAt');
    }
  });
});

describe('rule 9: the schedule', () => {
  it('carries out a due dismissal as the schedule, with the delegate if still active', () => {
    const delegate = aUser();
    const user = aUser({ scheduledDismissal: { effectiveAt: earlier, delegateId: delegate.id, requestedBy: 'ADMIN2', source: 'admin' } });
    const change = dueDismissal(user, delegate, context({ actorId: null, source: 'schedule' }))!;
    expect(change).toMatchObject({
      actorId: 'ADMIN2',
      asAdmin: false,
      users: [{ action: 'user.dismissed', details: { source: 'schedule', scheduledBy: 'admin' } }],
    });
    expect(change.effects.map((e) => e.type)).toEqual(['handover']);
  });

  it('without the delegate when they left meanwhile, saying so', () => {
    const gone = aUser({ status: 'dismissed' });
    const user = aUser({ scheduledDismissal: { effectiveAt: earlier, delegateId: gone.id, requestedBy: null, source: 'hr:gusto' } });
    const change = dueDismissal(user, gone, context({ actorId: null, source: 'schedule' }))!;
    expect(change.effects).toEqual([]);
    expect(change.users[0]!.details).toMatchObject({ delegateSkipped: `${gone.id} is not active` });
  });

  it.each([
    ['no longer scheduled', aUser()],
    ['not yet due', aUser({ scheduledDismissal: { effectiveAt: later, delegateId: null, requestedBy: null, source: 'admin' } })],
    ['already dismissed', aUser({ status: 'dismissed', scheduledDismissal: { effectiveAt: earlier, delegateId: null, requestedBy: null, source: 'admin' } })],
  ])('does nothing when %s', (_what, user) => {
    expect(dueDismissal(user, undefined, context({ source: 'schedule' }))).toBeUndefined();
  });
});

describe('rule 9: rehire', () => {
  it('restores an active user with the same addresses, not as an admin', () => {
    const user = aUser({ status: 'dismissed', isAdmin: true, dismissedAt: earlier, handoverJobId: 'J' });
    expect(rehire(user, context()).users[0]).toMatchObject({
      action: 'user.rehired',
      after: { status: 'active', isAdmin: false, dismissedAt: null, handoverJobId: null, loginEmail: user.loginEmail },
    });
  });

  it('for an active user with a schedule, cancels it', () => {
    const user = aUser({ scheduledDismissal: { effectiveAt: later, delegateId: null, requestedBy: null, source: 'admin' } });
    expect(rehire(user, context()).users[0]).toMatchObject({ action: 'user.dismissal_cancelled', after: { status: 'active', scheduledDismissal: null } });
  });

  it.each([
    ['an active user', aUser(), /only dismissed users/],
    ['a swept account', aUser({ status: 'dismissed', sweptAt: earlier }), /anonymised/],
    [
      'a profile whose login moved to extranet',
      (() => {
        const u = aUser({ status: 'dismissed' });
        return { ...u, loginEmail: `${u.id.toLowerCase()}@moved.invalid` };
      })(),
      /give this profile a login/,
    ],
  ])('refuses %s', (_what, user, message) => {
    expect(() => rehire(user, context())).toThrow(message);
  });
});

describe('reassigning work without a dismissal', () => {
  it('queues a job for the work that exists now, noted on both users', () => {
    const from = aUser();
    const to = aUser();
    const change = reassign(from, to, context());
    expect(change.users).toEqual([]);
    expect(change.effects.map((e) => e.type)).toEqual(['handover', 'note', 'note']);
    const job = change.effects[0]!.type === 'handover' ? change.effects[0]!.job : undefined;
    expect(handsOver(job!, { updatedAt: job!.createdAt })).toBe(true);
    expect(handsOver(job!, { updatedAt: later })).toBe(false);
  });

  it.each([
    ['to the same user', (u: ReturnType<typeof aUser>) => u],
    ['to a dismissed user', () => aUser({ status: 'dismissed' })],
  ])('refuses handing work %s', (_what, target) => {
    const from = aUser();
    expect(() => reassign(from, target(from), context())).toThrow(InvalidState);
  });
});
