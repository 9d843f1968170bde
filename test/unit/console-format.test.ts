import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../console/src/config';
import { actionLabel, fieldLabel, valueText } from '../../console/src/format';

describe("the console's runtime configuration", () => {
  it('takes local and OIDC sign-in, without a trailing slash on the API', () => {
    expect(parseConfig({ apiBaseUrl: 'http://127.0.0.1:3000/', auth: { kind: 'local' } })).toEqual({
      apiBaseUrl: 'http://127.0.0.1:3000',
      auth: { kind: 'local' },
    });
    const oidc = { kind: 'oidc', issuer: 'https://id.example', clientId: 'console', scope: 'openid email' };
    expect(parseConfig({ apiBaseUrl: 'https://api.example', auth: oidc })).toEqual({ apiBaseUrl: 'https://api.example', auth: oidc });
  });

  it.each([
    ['no API', { auth: { kind: 'local' } }],
    ['an empty API', { apiBaseUrl: '', auth: { kind: 'local' } }],
    ['no sign-in', { apiBaseUrl: 'https://api.example' }],
    ['an unknown sign-in', { apiBaseUrl: 'https://api.example', auth: { kind: 'password' } }],
    ['OIDC without its client', { apiBaseUrl: 'https://api.example', auth: { kind: 'oidc', issuer: 'https://id.example', scope: 'openid' } }],
    ['null', null],
  ])('refuses %s, saying what is missing', (_, value) => {
    expect(() => parseConfig(value)).toThrow(ConfigError);
  });
});

describe('how the console words what the API says', () => {
  it.each([
    ['user.contact_email_changed', 'Contact email changed'],
    ['user.invited', 'Invited'],
    ['invitation.link_issued', 'Invitation link issued'],
    ['email.transferred', 'Email transferred'],
    ['swept', 'Swept'],
  ])('audit action %s reads "%s"', (action, words) => {
    expect(actionLabel(action)).toBe(words);
  });

  it.each([
    ['body.loginEmail', 'login email'],
    ['query.cursor', 'cursor'],
    ['body.workgroupIds', 'workgroup ids'],
    ['headers.content-type', 'content-type'],
  ])('field %s reads "%s"', (path, words) => {
    expect(fieldLabel(path)).toBe(words);
  });

  it('says none for empty values and yes or no for flags', () => {
    expect([null, undefined, '', []].map(valueText)).toEqual(['none', 'none', 'none', 'none']);
    expect([true, false].map(valueText)).toEqual(['yes', 'no']);
    expect(valueText(['a', 'b'])).toBe('a, b');
    expect(valueText('2026-01-31T09:00:00.000Z')).not.toContain('T09:00');
  });
});
