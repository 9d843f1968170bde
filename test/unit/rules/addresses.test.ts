import { describe, expect, it } from 'vitest';
import { changeContactEmail, confirmLoginChange, requestLoginChange, transfer } from '../../../lib/domain/addresses';
import { addressClaimChanges, externalIdChanges } from '../../../lib/domain/claims';
import { EmailInUse, InvalidRequest, InvalidState, TokenInvalid } from '../../../lib/domain/errors';
import { aUser, context, NOW } from '../../support/domain';

const future = new Date(NOW.getTime() + 3_600_000).toISOString();
const past = new Date(NOW.getTime() - 1).toISOString();

describe('rule 2: one claim per address, whatever the status', () => {
  it.each([
    ['a new user claims both addresses', [null], [aUser({ id: 'A', loginEmail: 'a@x.example', contactEmail: 'c@x.example' })], ['a@x.example', 'c@x.example']],
    [
      'one address as login and contact is one claim with both roles',
      [null],
      [aUser({ id: 'A', loginEmail: 'a@x.example', contactEmail: 'a@x.example' })],
      ['a@x.example'],
    ],
    ['a dismissal moves no claim', [aUser({ id: 'A', loginEmail: 'a@x.example' })], [aUser({ id: 'A', loginEmail: 'a@x.example', status: 'dismissed' })], []],
  ])('%s', (_what, befores, afters, addresses) => {
    expect(addressClaimChanges(befores, afters).map((c) => c.address)).toEqual(addresses);
  });

  it('a changed contact address: the new one claimed from nobody, the old one released by its holder', () => {
    const before = aUser({ id: 'A', loginEmail: 'a@x.example', contactEmail: 'old@x.example' });
    const changes = addressClaimChanges([before], [{ ...before, contactEmail: 'new@x.example' }]);
    expect(changes).toEqual([
      { address: 'old@x.example', was: { userId: 'A', roles: ['contact'] }, will: undefined },
      { address: 'new@x.example', was: undefined, will: { userId: 'A', roles: ['contact'] } },
    ]);
  });

  it('refuses two users of one change holding one address, naming the one who held it', () => {
    const holder = aUser({ id: 'H', loginEmail: 'h@x.example', status: 'dismissed' });
    const other = aUser({ id: 'O', loginEmail: 'o@x.example' });
    expect(() => addressClaimChanges([holder, other], [holder, { ...other, contactEmail: 'h@x.example' }])).toThrow(EmailInUse);
  });

  it('external ids move like addresses', () => {
    const before = aUser({ id: 'A', externalId: 'HR-1' });
    expect(externalIdChanges([before], [{ ...before, externalId: 'HR-2' }])).toEqual([{ userId: 'A', was: 'HR-1', will: 'HR-2' }]);
    expect(externalIdChanges([before], [before])).toEqual([]);
  });
});

describe('rule 5: the contact email', () => {
  it.each([
    ['changes it', 'new@home.example'],
    ['clears it', null],
  ])('%s, in any status', (_what, email) => {
    const user = aUser({ status: 'dismissed', contactEmail: 'old@home.example' });
    expect(changeContactEmail(user, email, context())!.users[0]).toMatchObject({ action: 'user.contact_email_changed', after: { contactEmail: email } });
  });

  it('changes nothing when it already is that address, and nothing on a swept account', () => {
    expect(changeContactEmail(aUser({ contactEmail: 'a@x.example' }), 'a@x.example', context())).toBeUndefined();
    expect(() => changeContactEmail(aUser({ sweptAt: past }), null, context())).toThrow(InvalidState);
  });
});

describe('rule 6: the confirmed login change', () => {
  const settings = { loginChangeTtlHours: 24 };

  it('a request changes nothing about the user; it stores the pending change and asks for the mail to the NEW address', () => {
    const user = aUser();
    const { change, expiresAt } = requestLoginChange(user, 'new@corp.example', undefined, context(), settings);
    expect(change.users).toEqual([]);
    expect(change.effects.map((e) => e.type)).toEqual(['storePending', 'mailLink', 'note']);
    expect(change.effects[0]).toMatchObject({ pending: { kind: 'loginChange', newEmail: 'new@corp.example', expiresAt } });
    expect(Date.parse(expiresAt) - NOW.getTime()).toBe(24 * 3_600_000);
  });

  it.each([
    ['the current login', (u: ReturnType<typeof aUser>) => [u.loginEmail, undefined] as const, InvalidState],
    [
      'an address someone else holds',
      () => ['taken@corp.example', { holder: { id: 'X', status: 'dismissed', type: 'employee' }, roles: ['login'] }] as const,
      EmailInUse,
    ],
  ])('refuses %s', (_what, arrange, error) => {
    const user = aUser();
    const [email, heldBy] = arrange(user);
    expect(() => requestLoginChange(user, email, heldBy as never, context(), settings)).toThrow(error);
  });

  it('confirming switches the login and consumes the link, acting as the user', () => {
    const user = aUser();
    const change = confirmLoginChange(user, { newEmail: 'new@corp.example', expiresAt: future }, 'HASH', context({ actorId: null, source: 'self' }));
    expect(change).toMatchObject({
      actorId: user.id,
      asAdmin: false,
      users: [{ action: 'user.login_email_changed', after: { loginEmail: 'new@corp.example' } }],
    });
    expect(change.effects).toEqual([{ type: 'consumePending', kind: 'loginChange', userId: user.id, tokenHash: 'HASH' }]);
  });

  it.each([
    ['no matching link', aUser(), { newEmail: 'n@x.example', expiresAt: future }, undefined],
    ['an expired request', aUser(), { newEmail: 'n@x.example', expiresAt: past }, 'HASH'],
    ['a swept account', aUser({ sweptAt: past }), { newEmail: 'n@x.example', expiresAt: future }, 'HASH'],
    ['no pending change', aUser(), undefined, 'HASH'],
  ])('a link is invalid with %s', (_what, user, pending, hash) => {
    expect(() => confirmLoginChange(user, pending, hash, context())).toThrow(TokenInvalid);
  });
});

describe("rule 7: transferring a dismissed user's address", () => {
  const holder = aUser({ id: 'H', status: 'dismissed', loginEmail: 'jane@corp.example', contactEmail: 'jd@corp.example' });
  const recipient = aUser({ id: 'R', loginEmail: 'priya@home.example' });

  it('their login: the recipient gets it, the holder the replacement, and a pending change of theirs is dropped', () => {
    const change = transfer(holder, recipient, 'jane@corp.example', { as: 'login', replacementLoginEmail: 'jane.former@corp.example' }, context());
    expect(change.users.map((u) => [u.action, u.after.loginEmail])).toEqual([
      ['email.transferred_out', 'jane.former@corp.example'],
      ['email.transferred_in', 'jane@corp.example'],
    ]);
    expect(change.effects).toEqual([{ type: 'dropPending', kind: 'loginChange', userId: 'H' }]);
  });

  it('their contact address: cleared on the holder, given as contact', () => {
    const change = transfer(holder, recipient, 'jd@corp.example', { as: 'contact' }, context());
    expect(change.users.map((u) => u.after.contactEmail)).toEqual([null, 'jd@corp.example']);
  });

  it.each([
    ['a login without a replacement', holder, recipient, 'jane@corp.example', {}, InvalidRequest],
    ['a replacement equal to the address', holder, recipient, 'jane@corp.example', { replacementLoginEmail: 'jane@corp.example' }, InvalidRequest],
    ['a replacement for a contact address', holder, recipient, 'jd@corp.example', { replacementLoginEmail: 'x@corp.example' }, InvalidRequest],
    ['an active holder', { ...holder, status: 'active' as const }, recipient, 'jane@corp.example', { replacementLoginEmail: 'x@corp.example' }, InvalidState],
    ['a dismissed recipient', holder, { ...recipient, status: 'dismissed' as const }, 'jd@corp.example', {}, InvalidState],
    ['the holder as recipient', holder, holder, 'jd@corp.example', {}, InvalidState],
  ])('refuses %s', (_what, from, to, email, extra, error) => {
    expect(() => transfer(from, to, email, { as: 'login', ...extra }, context())).toThrow(error);
  });
});
