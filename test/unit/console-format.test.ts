import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../console/src/config';
import { actionLabel, fieldLabel, plainDetail, problemExplanation, problemHeadline, resultLine, valueText } from '../../console/src/format';
import { problemExamples } from '../../lib/http/failures';

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
    expect(valueText('01jd3zk1x7q8m2v5n4r6t9w0yb@moved.invalid')).toBe('none (moved to the extranet account)');
  });
});

const ULID = /[0-7][0-9A-HJKMNP-TV-Z]{25}/i;
const jane = '01JD3ZK1X7Q8M2V5N4R6T9W0YB';
const alex = '01JD3ZK1X7Q8M2V5N4R6T9W0YC';

describe("how the console words the API's problems", () => {
  // Every problem the API can answer (lib/http/failures.ts holds one of each), as its document reads.
  const documents = problemExamples.map((error) => ({
    code: error.code,
    status: error.status,
    title: error.title,
    detail: error.message,
    ...error.extensions(),
  }));

  it.each(documents.map((document) => [document.code, document] as const))('%s has its own headline, not the API title', (_, document) => {
    expect(problemHeadline(document)).not.toBe(document.title);
  });

  it.each(documents.map((document) => [document.code, document] as const))('%s is explained without a raw id', (_, document) => {
    expect(problemExplanation(document)).not.toMatch(ULID);
    expect(problemExplanation(document)).not.toMatch(/\b(GET|PUT|POST|DELETE) \//);
  });

  it.each([
    [`User ${jane} is dismissed; only active users can be dismissed`, {}, 'This user is dismissed; only active users can be dismissed'],
    [`User ${jane} is dismissed; only active users can be dismissed`, { [jane]: 'Jane Doe' }, 'Jane Doe is dismissed; only active users can be dismissed'],
    [
      `User ${jane} moved to extranet account ${alex} with their login; give this profile a login first`,
      { [jane]: 'Alex Kim', [alex]: 'Alex Kim' },
      'Alex Kim moved to their extranet account with their login; give this profile a login first',
    ],
    [`Delegate ${alex} is invited; a delegate must be active`, {}, 'The delegate is invited; a delegate must be active'],
    [
      `jane@corp.example belongs to active user ${jane}; only a dismissed user's address can be transferred`,
      {},
      "jane@corp.example belongs to an active user; only a dismissed user's address can be transferred",
    ],
    [
      `User ${jane} is on legal hold; lift the hold (PUT /users/${jane}/legal-hold) before erasing`,
      {},
      'This user is on legal hold; lift the hold before erasing',
    ],
    [
      `Workgroup ${alex} is the last workgroup of extranet user ${jane}; extranet users belong to at least one`,
      {},
      'This workgroup is the last workgroup of this extranet user; extranet users belong to at least one',
    ],
    [`${jane.toLowerCase()}@moved.invalid is already the login email of user ${jane}`, {}, 'a placeholder login is already the login email of this user'],
  ])('"%s" reads plainly', (detail, names, words) => {
    expect(plainDetail(detail, names)).toBe(words);
  });

  it('says which thing was not found, not its id', () => {
    const words = problemExplanation({ code: 'not_found', detail: `user ${jane} does not exist` });
    expect(words).toContain('No such user exists in the directory');
    expect(words).not.toContain(jane);
  });

  it('names the size limit of a body that is too large', () => {
    expect(problemExplanation({ code: 'payload_too_large', detail: 'The request body exceeds 1048576 bytes' })).toContain('at most 1 MB');
  });
});

describe("the users list's answer line", () => {
  it('says nobody matches only when no page follows', () => {
    expect(resultLine(0, false, 1, 'sam')).toBe("Nobody's name or address starts with “sam”.");
    expect(resultLine(0, true, 1, 'sam')).toBe('Page 1: none on this page whose name or address starts with “sam”; the next page may have some.');
    expect(resultLine(0, true, 2, '')).toBe('Page 2: none on this page; the next page may have some.');
    expect(resultLine(3, true, 1, 'sam')).toBe('Page 1: 3 users whose name or address starts with “sam”, more on the next page.');
  });
});
