import { describe, expect, it } from 'vitest';
import { auditRecords } from '../../../lib/domain/audit';
import { changeOf } from '../../../lib/domain/change';
import { assertNotSwept, erase, retentionCutoff, retentionStart, setLegalHold, sweep, sweepRefusal } from '../../../lib/domain/cleanup';
import { InvalidRequest, InvalidState } from '../../../lib/domain/errors';
import { decideHrEvent, noteHrEvent } from '../../../lib/domain/hr-events';
import { decideLink, issueLink } from '../../../lib/domain/links';
import type { HrEvent } from '../../../lib/domain/hr-events';
import { aUser, context, nextId, NOW } from '../../support/domain';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

describe('rule 12: cleanup', () => {
  const cutoff = retentionCutoff(NOW, 90);

  it('retention counts from the later of the dismissal and its recording', () => {
    expect(retentionStart({ dismissedAt: daysAgo(200), dismissalRecordedAt: daysAgo(10) })).toBe(daysAgo(10));
    expect(retentionStart({ dismissedAt: daysAgo(200), dismissalRecordedAt: null })).toBe(daysAgo(200));
    expect(retentionStart({ dismissedAt: null, dismissalRecordedAt: null })).toBeNull();
  });

  it.each([
    ['stale for 91 days', { status: 'dismissed' as const, dismissedAt: daysAgo(91) }, undefined],
    [
      'back-dated but recorded 10 days ago',
      { status: 'dismissed' as const, dismissedAt: daysAgo(300), dismissalRecordedAt: daysAgo(10) },
      'no longer stale (rehired or already swept)',
    ],
    ['dismissed 89 days ago', { status: 'dismissed' as const, dismissedAt: daysAgo(89) }, 'no longer stale (rehired or already swept)'],
    ['on legal hold', { status: 'dismissed' as const, dismissedAt: daysAgo(91), legalHold: true }, 'legal hold'],
    ['active', { status: 'active' as const }, 'no longer stale (rehired or already swept)'],
    ['already swept', { status: 'dismissed' as const, dismissedAt: daysAgo(91), sweptAt: daysAgo(1) }, 'no longer stale (rehired or already swept)'],
  ])('an account %s: %s', (_what, fields, refusal) => {
    expect(sweepRefusal(aUser(fields), cutoff)).toBe(refusal);
  });

  it('a sweep anonymises, releases every address and external id, drops pending requests, and audits field names only', () => {
    const user = aUser({ status: 'dismissed', dismissedAt: daysAgo(100), contactEmail: 'me@home.example', externalId: 'HR-1', firstName: 'Jane' });
    const change = sweep(user, cutoff, 90, context({ actorId: null, source: 'cleanup' }));
    expect(change.users[0]!.after).toMatchObject({
      firstName: 'Former',
      contactEmail: null,
      externalId: null,
      loginEmail: `${user.id.toLowerCase()}@swept.invalid`,
      sweptAt: NOW.toISOString(),
    });
    expect(change.effects.map((e) => e.type)).toEqual(['dropPending', 'dropPending']);
    const [entry] = auditRecords(change, [change.users[0]!.after], nextId);
    expect(entry).toMatchObject({ action: 'user.swept', before: null });
    expect(JSON.stringify(entry)).not.toContain('Jane');
    expect(JSON.stringify(entry)).not.toContain('me@home.example');
  });

  it.each([
    ['active', { status: 'active' as const }, 'is active; only a dismissed account can be erased'],
    ['invited', { status: 'invited' as const }, 'is invited; only a dismissed account can be erased'],
    ['dismissed on legal hold', { status: 'dismissed' as const, dismissedAt: daysAgo(1), legalHold: true }, 'is on legal hold'],
  ])('erasing an account that is %s is refused', (_what, fields, message) => {
    expect(() => erase(aUser(fields), context())).toThrow(InvalidState);
    expect(() => erase(aUser(fields), context())).toThrow(message);
  });

  it('erasing a dismissed account anonymises it whatever its retention, audited as an erasure without personal data', () => {
    const user = aUser({ status: 'dismissed', dismissedAt: daysAgo(1), contactEmail: 'me@home.example', externalId: 'HR-9', firstName: 'Jane' });
    const change = erase(user, context())!;
    expect(change.users[0]!.after).toMatchObject({ firstName: 'Former', lastName: 'user', contactEmail: null, externalId: null, sweptAt: NOW.toISOString() });
    expect(change.effects.map((e) => e.type)).toEqual(['dropPending', 'dropPending']);
    const [entry] = auditRecords(change, [change.users[0]!.after], nextId);
    expect(entry).toMatchObject({ action: 'user.erased', actorId: 'ADMIN', before: null });
    expect(JSON.stringify(entry)).not.toContain('Jane');
    expect(JSON.stringify(entry)).not.toContain('me@home.example');
  });

  it('erasing an account already anonymised changes nothing', () => {
    expect(erase(aUser({ status: 'dismissed', dismissedAt: daysAgo(200), sweptAt: daysAgo(100) }), context())).toBeUndefined();
  });

  it('swept stays swept; a legal hold is placed once', () => {
    expect(() => assertNotSwept(aUser({ sweptAt: daysAgo(1) }))).toThrow(InvalidState);
    expect(setLegalHold(aUser({ legalHold: true }), true, context())).toBeUndefined();
    expect(setLegalHold(aUser(), true, context())!.users[0]!.action).toBe('user.legal_hold_placed');
  });
});

describe('rule 11: audit entries', () => {
  it('one per changed user with only the fields that changed, plus details; one per note', () => {
    const before = aUser({ contactEmail: 'old@x.example' });
    const after = { ...before, contactEmail: 'new@x.example' };
    const change = changeOf(
      context(),
      [{ before, after, action: 'user.contact_email_changed', details: { source: 'admin' } }],
      [{ type: 'note', subject: { kind: 'work', id: 'W1' }, action: 'task.created', details: { title: 't' } }],
    );
    const records = auditRecords(change, [after], nextId);
    expect(records).toEqual([
      expect.objectContaining({
        subject: { kind: 'user', id: before.id },
        actorId: 'ADMIN',
        before: { contactEmail: 'old@x.example' },
        after: { contactEmail: 'new@x.example', source: 'admin' },
        at: NOW.toISOString(),
      }),
      expect.objectContaining({ subject: { kind: 'work', id: 'W1' }, action: 'task.created', before: null, after: { title: 't' } }),
    ]);
  });
});

describe('HR events decide by the same rules', () => {
  const hr = (overrides: Partial<Parameters<typeof decideHrEvent>[3]> = {}) => ({
    ...context({ actorId: null, source: 'hr:gusto' }),
    deliveryId: 'D1',
    ...overrides,
  });
  const event = (type: HrEvent['type'], extra: Partial<HrEvent> = {}): HrEvent => ({
    type,
    occurredAt: daysAgo(0),
    employee: { externalId: 'HR-1' },
    ...extra,
  });

  it('a termination dismisses, stamped with the event; every touched user remembers it', () => {
    const decision = decideHrEvent(aUser(), event('employee.terminated'), undefined, hr());
    expect(decision).toMatchObject({
      users: [{ action: 'user.dismissed', details: { source: 'hr:gusto', deliveryId: 'D1' }, after: { status: 'dismissed', lastHrDeliveryId: 'D1' } }],
    });
  });

  it('an older event than the last applied is stale and changes nothing', () => {
    const user = aUser({ lastHrEventAt: daysAgo(0), lastHrDeliveryId: 'D0' });
    expect(decideHrEvent(user, event('employee.terminated', { occurredAt: daysAgo(1) }), undefined, hr())).toMatchObject({ stale: true });
  });

  it('a delegate that cannot be used still dismisses, reported as failed', () => {
    const decision = decideHrEvent(aUser(), event('employee.terminated', { delegateEmail: 'gone@corp.example' }), aUser({ status: 'dismissed' }), hr());
    expect(decision).toMatchObject({ problem: { code: 'delegate_invalid' }, users: [{ action: 'user.dismissed' }] });
  });

  it('an address change names the field in the event’s terms; a dismissed employee keeps theirs', () => {
    expect(() => decideHrEvent(aUser(), event('employee.email_changed', { contactEmail: 'not an address' }), undefined, hr())).toThrow(InvalidRequest);
    try {
      decideHrEvent(aUser(), event('employee.email_changed', { contactEmail: 'not an address' }), undefined, hr());
    } catch (error) {
      expect((error as InvalidRequest).within('data').errors[0]!.path).toBe('data.contactEmail');
    }
    expect(() => decideHrEvent(aUser({ status: 'dismissed' }), event('employee.email_changed', { contactEmail: 'a@b.example' }), undefined, hr())).toThrow(
      InvalidState,
    );
  });

  it('nothing to do is noted, so an older event cannot undo it', () => {
    const user = aUser();
    const decision = decideHrEvent(user, event('employee.rehired'), undefined, hr());
    expect(decision).toEqual({ noChange: `user ${user.id} is already active` });
    expect(noteHrEvent(user, event('employee.rehired'), 'already active', hr()).users[0]).toMatchObject({
      action: 'user.hr_event_noted',
      after: { lastHrDeliveryId: 'D1' },
    });
  });
});

describe('mailed links', () => {
  const pending = { requestId: 'R1', expiresAt: new Date(NOW.getTime() + DAY).toISOString() };

  it('an invitation goes to the login of a user still invited, and requires them still invited there', () => {
    const user = aUser({ status: 'invited' });
    const link = decideLink(user, pending, { kind: 'invitation', userId: user.id, requestId: 'R1' }, context());
    expect(link).toEqual({ to: user.loginEmail, expiresAt: pending.expiresAt });
    const change = issueLink(
      { kind: 'invitation', userId: user.id, requestId: 'R1' },
      { ...(link as { to: string; expiresAt: string }), tokenHash: 'H' },
      context(),
    );
    expect(change.effects.map((e) => e.type)).toEqual(['addLink', 'requireInvitedAt', 'note']);
  });

  it.each([
    ['a replaced request', aUser({ status: 'invited' }), { ...pending, requestId: 'R2' }, 'replaced or used'],
    ['an expired one', aUser({ status: 'invited' }), { ...pending, expiresAt: NOW.toISOString() }, 'expired before it was mailed'],
    ['a user no longer invited', aUser({ status: 'active' }), pending, 'replaced or used'],
  ])('is not mailed for %s', (_what, user, request, closed) => {
    expect(decideLink(user, request, { kind: 'invitation', userId: user.id, requestId: 'R1' }, context())).toEqual({ closed });
  });
});
