import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Access, checkConnectorUrl, fieldsDigest, nextStep, toConnectorView, wantedFor } from '../../../lib/domain/connectors';
import { aUser } from '../../support/domain';

const user = aUser({ status: 'active' });
const holder = {
  id: user.id,
  status: user.status,
  loginEmail: user.loginEmail,
  contactEmail: user.contactEmail,
  firstName: user.firstName,
  lastName: user.lastName,
};
const applied = (over: Partial<Access> = {}): Access => ({
  connectorId: 'C',
  userId: user.id,
  state: 'provisioned',
  remoteId: 'R1',
  reason: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  appliedDigest: fieldsDigest(holder),
  appliedActive: true,
  ...over,
});

describe('rule 14: what a connected system should hold', () => {
  it.each([
    ['invited', { status: 'invited' as const }, 'none'],
    ['active', { status: 'active' as const }, 'account'],
    ['dismissed', { status: 'dismissed' as const }, 'account'],
    ['swept', { status: 'dismissed' as const, sweptAt: '2026-01-01T00:00:00.000Z' }, 'removed'],
  ])('%s: %s', (_name, over, kind) => {
    const wanted = wantedFor({ ...holder, sweptAt: null, ...over });
    expect(wanted.kind).toBe(kind);
    if (wanted.kind === 'account') expect(wanted.active).toBe(over.status === 'active');
  });
});

describe('rule 14: the next step towards it', () => {
  const active = wantedFor({ ...holder, sweptAt: null });
  const dismissed = wantedFor({ ...holder, status: 'dismissed', sweptAt: null });
  const renamed = wantedFor({ ...holder, lastName: 'Other', sweptAt: null });
  it.each([
    ['no account yet, active: create it', active, undefined, { step: 'provision' }],
    ['no account, dismissed: none is made', dismissed, undefined, { step: 'record', state: 'deprovisioned' }],
    ['applied and unchanged: nothing to send', active, applied(), { step: 'record', state: 'provisioned' }],
    ['only active changed: one PATCH of active', dismissed, applied(), { step: 'setActive', active: false }],
    ['a field changed: update', renamed, applied(), { step: 'update' }],
    ['failed before, unchanged since: try again', active, applied({ state: 'failed' }), { step: 'setActive', active: true }],
    ['erased with an account: deprovision it', { kind: 'removed' as const }, applied(), { step: 'deprovision', remoteId: 'R1' }],
    ['erased, already deprovisioned: nothing', { kind: 'removed' as const }, applied({ state: 'deprovisioned' }), { step: 'record', state: 'deprovisioned' }],
    ['deprovisioned, then active again: a new account', active, applied({ state: 'deprovisioned' }), { step: 'provision' }],
    ['invited: pending', { kind: 'none' as const, reason: 'invited' }, undefined, { step: 'record', state: 'pending' }],
  ])('%s', (_name, wanted, access, step) => {
    expect(nextStep(wanted, access)).toMatchObject(step);
  });

  it('the digest changes with every field of the account but active, and only with them', () => {
    fc.assert(
      fc.property(fc.constantFrom('loginEmail', 'contactEmail', 'firstName', 'lastName'), fc.string({ minLength: 1 }), (field, value) => {
        const changed = { ...holder, [field]: `${String(holder[field as keyof typeof holder])}${value}` };
        expect(fieldsDigest(changed)).not.toBe(fieldsDigest(holder));
        expect(fieldsDigest({ ...holder, status: 'dismissed' })).toBe(fieldsDigest(holder));
      }),
    );
  });
});

describe('connectors: base URL and view', () => {
  it.each([
    ['https://api.example.com/scim/v2/', 'public', 'https://api.example.com/scim/v2'],
    ['http://127.0.0.1:4000/scim', 'loopback', 'http://127.0.0.1:4000/scim'],
  ] as const)('%s (%s) is accepted as %s', (url, targets, expected) => {
    expect(checkConnectorUrl(url, targets)).toBe(expected);
  });

  it.each([
    ['http://api.example.com/scim', 'public'],
    ['https://10.1.2.3/scim', 'public'],
    ['https://user:pw@api.example.com/scim', 'public'],
    ['https://api.example.com/scim?x=1', 'public'],
    ['https://api.example.com/scim', 'loopback'],
  ] as const)('%s (%s) is refused naming baseUrl', (url, targets) => {
    expect(() => checkConnectorUrl(url, targets)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('the view never holds the token and is flagged after 24 hours of failures', () => {
    const connector = {
      id: 'C',
      kind: 'scim' as const,
      name: 'Chat',
      baseUrl: 'https://x.example/scim',
      sealedToken: 'sealed',
      createdAt: 'a',
      updatedAt: 'b',
      failingSince: '2026-01-01T00:00:00.000Z',
    };
    expect(JSON.stringify(toConnectorView(connector, new Date('2026-01-01T23:00:00Z')))).not.toContain('sealed');
    expect(toConnectorView(connector, new Date('2026-01-01T23:00:00Z')).flagged).toBe(false);
    expect(toConnectorView(connector, new Date('2026-01-02T00:00:00Z')).flagged).toBe(true);
  });
});
