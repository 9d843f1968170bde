import SCIMMY from 'scimmy';
import { describe, expect, it } from 'vitest';
import {
  type DirectoryUser,
  desiredFields,
  newUserResource,
  patchOperations,
  remoteFields,
  replacementResource,
  type ScimUserFields,
  userNameFilter,
} from '../../lib/connectors/scim/resource';
import {
  capabilitiesOf,
  DEFAULT_RETRY_MS,
  failureOf,
  listResourcesOf,
  MAX_RETRY_MS,
  retryAfterMs,
  scimErrorOf,
  userOf,
} from '../../lib/connectors/scim/responses';

const jane: DirectoryUser = {
  id: '01JDIRECTORYUSER0000000001',
  status: 'active',
  loginEmail: 'jane.doe@corp.example',
  contactEmail: 'jane@home.example',
  firstName: 'Jane',
  lastName: 'Doe',
};
const fields = desiredFields(jane);

describe('directory user -> SCIM User resource', () => {
  it('maps login, contact address, name and id', () => {
    expect(newUserResource(fields)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'jane.doe@corp.example',
      externalId: jane.id,
      name: { givenName: 'Jane', familyName: 'Doe' },
      displayName: 'Jane Doe',
      emails: [
        { value: 'jane.doe@corp.example', type: 'work', primary: true },
        { value: 'jane@home.example', type: 'other', primary: false },
      ],
      active: true,
    });
  });

  it.each([
    ['active', true],
    ['invited', false],
    ['dismissed', false],
  ] as const)('a user %s is active: %s', (status, active) => {
    expect(desiredFields({ ...jane, status }).active).toBe(active);
  });

  it.each([
    ['no contact address', null],
    ['a contact address equal to the login', jane.loginEmail],
  ])('lists only the work address with %s', (_, contactEmail) => {
    expect(desiredFields({ ...jane, contactEmail }).emails).toEqual([{ value: jane.loginEmail, type: 'work', primary: true }]);
  });

  it('is valid input for a real SCIM implementation (SCIMMY parses it as a User)', () => {
    const parsed = new SCIMMY.Schemas.User(newUserResource(fields), 'in');
    expect(parsed).toMatchObject({ userName: jane.loginEmail, externalId: jane.id, active: true });
  });
});

describe('PATCH operations from a before/after diff (RFC 7644 3.5.2.3 replace)', () => {
  const changedTo = (change: Partial<DirectoryUser>) => desiredFields({ ...jane, ...change });
  it.each<[string, ScimUserFields, object[]]>([
    ['nothing changed', fields, []],
    ['login case only (userName is caseExact false)', { ...fields, userName: 'JANE.DOE@corp.example' }, []],
    ['email order only', { ...fields, emails: [...fields.emails].reverse() }, []],
    ['dismissed', changedTo({ status: 'dismissed' }), [{ op: 'replace', path: 'active', value: false }]],
    [
      'renamed',
      changedTo({ lastName: 'Smith' }),
      [
        { op: 'replace', path: 'name.familyName', value: 'Smith' },
        { op: 'replace', path: 'displayName', value: 'Jane Smith' },
      ],
    ],
    [
      'contact address cleared',
      changedTo({ contactEmail: null }),
      [{ op: 'replace', path: 'emails', value: [{ value: jane.loginEmail, type: 'work', primary: true }] }],
    ],
    [
      'login changed',
      changedTo({ loginEmail: 'jd@corp.example' }),
      [
        { op: 'replace', path: 'userName', value: 'jd@corp.example' },
        {
          op: 'replace',
          path: 'emails',
          value: [
            { value: 'jd@corp.example', type: 'work', primary: true },
            { value: 'jane@home.example', type: 'other', primary: false },
          ],
        },
      ],
    ],
  ])('%s', (_, target, ops) => {
    expect(patchOperations(fields, target)).toEqual(ops);
  });

  it('sets every owned attribute an account made by hand lacks', () => {
    const bare = remoteFields({ id: 'r1', userName: jane.loginEmail });
    expect(patchOperations(bare, fields).map((op) => op.path)).toEqual(['externalId', 'active', 'name.givenName', 'name.familyName', 'displayName', 'emails']);
  });

  it('is valid input for a real SCIM implementation (SCIMMY applies it)', async () => {
    const ops = patchOperations(fields, desiredFields({ ...jane, status: 'dismissed', lastName: 'Smith', contactEmail: null }));
    const patched = await new SCIMMY.Messages.PatchOp({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops }).apply(
      new SCIMMY.Schemas.User({ ...newUserResource(fields), id: 'r1' }, 'out'),
    );
    expect(patched).toMatchObject({ active: false, name: { familyName: 'Smith' }, emails: [{ value: jane.loginEmail }] });
  });
});

describe('PUT body', () => {
  it('keeps what the directory does not own, replaces what it does, and leaves meta and groups out', () => {
    const current = {
      id: 'r1',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: 'old@corp.example',
      name: { givenName: 'J', familyName: 'D', middleName: 'Q' },
      title: 'Engineer',
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      groups: [{ value: 'g1' }],
      meta: { resourceType: 'User', version: 'W/"1"' },
    };
    expect(replacementResource(current, { ...fields, active: false })).toEqual({
      id: 'r1',
      schemas: current.schemas,
      userName: jane.loginEmail,
      externalId: jane.id,
      name: { givenName: 'Jane', familyName: 'Doe', middleName: 'Q' },
      displayName: 'Jane Doe',
      emails: fields.emails,
      active: false,
      title: 'Engineer',
      phoneNumbers: current.phoneNumbers,
    });
  });
});

describe('userName filter (RFC 7644 3.4.2.2)', () => {
  it.each(['jane.doe@corp.example', "o'neil+tag@corp.example", 'jos\u00e9@m\u00fcller.de'])('%s parses in SCIMMY and matches only that login', (login) => {
    const filter = new SCIMMY.Types.Filter(userNameFilter(login));
    expect(filter.match([{ userName: login }, { userName: `x${login}` }])).toEqual([{ userName: login }]);
  });

  it('escapes a value as a JSON string', () => {
    expect(userNameFilter('a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
  });
});

describe('provider answers', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['999999', MAX_RETRY_MS],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
  ])('Retry-After %j is %j ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });

  const body = (detail: string, scimType?: string) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', detail, scimType });
  it.each<[number, string | null, unknown, object]>([
    [401, null, body('Bad token tok-123'), { outcome: 'unauthorized', reason: 'GET /Users/{id}: HTTP 401 (Bad token [redacted])' }],
    [403, null, undefined, { outcome: 'unauthorized', reason: 'GET /Users/{id}: HTTP 403' }],
    [404, null, body('Resource 1 not found'), { outcome: 'gone', reason: 'GET /Users/{id}: HTTP 404 (Resource 1 not found)' }],
    [429, '3', undefined, { outcome: 'retryLater', retryAfterMs: 3000 }],
    [503, null, undefined, { outcome: 'retryLater', retryAfterMs: DEFAULT_RETRY_MS }],
    [502, null, '<html>Bad gateway</html>', { outcome: 'retryLater', reason: 'GET /Users/{id}: HTTP 502' }],
    [408, null, undefined, { outcome: 'retryLater' }],
    [501, null, undefined, { outcome: 'failed', status: 501 }],
    [
      400,
      null,
      body('Bad\n  filter', 'invalidFilter'),
      { outcome: 'failed', status: 400, scimType: 'invalidFilter', reason: 'GET /Users/{id}: HTTP 400 (invalidFilter: Bad filter)' },
    ],
    [409, null, body('taken', 'uniqueness'), { outcome: 'failed', scimType: 'uniqueness' }],
  ])('HTTP %i (Retry-After %j) is %j', (status, retryAfter, answer, expected) => {
    expect(failureOf('GET /Users/{id}', { status, retryAfter, body: answer }, now, 'tok-123')).toMatchObject(expected);
  });

  it('cuts a long detail', () => {
    const failure = failureOf('GET /x', { status: 400, retryAfter: null, body: body('x'.repeat(5000)) }, now, 't');
    expect(failure.reason.length).toBeLessThan(400);
  });

  it('reads capabilities and users as providers send them (booleans as strings, nulls)', () => {
    expect(capabilitiesOf({ patch: { supported: 'True' }, filter: { supported: true, maxResults: 100 }, etag: null })).toEqual({
      patch: true,
      filter: true,
      maxResults: 100,
      etag: false,
      bulk: false,
    });
    expect(capabilitiesOf({})).toMatchObject({ patch: false, filter: false });
    expect(capabilitiesOf('nope')).toBeUndefined();
    expect(userOf({ id: '1', active: 'False', emails: null, name: null })).toMatchObject({ id: '1', active: false });
    expect(userOf({ userName: 'no id' })).toBeUndefined();
  });

  it('keeps what providers add, and refuses a known attribute of the wrong type', () => {
    const read = userOf({ id: '7', userName: 'a@corp.example', title: 'Boss', emails: [{ value: 'a@corp.example', primary: 'true', display: 'A' }] });
    expect(read).toMatchObject({ id: '7', title: 'Boss', emails: [{ value: 'a@corp.example', primary: true, display: 'A' }] });
    for (const bad of [
      { id: 7 },
      { id: '' },
      { id: '1', userName: 3 },
      { id: '1', active: 1 },
      { id: '1', emails: {} },
      { id: '1', emails: [{ type: 'work' }] },
      { id: '1', name: 'A B' },
      { id: '1', schemas: [1] },
      [{ id: '1' }],
    ]) {
      expect(userOf(bad), JSON.stringify(bad)).toBeUndefined();
    }
    expect(capabilitiesOf({ patch: true })).toBeUndefined();
    expect(capabilitiesOf({ filter: { supported: true, maxResults: '100' } })).toBeUndefined();
    expect(listResourcesOf({ totalResults: 1, Resources: [{ id: '1' }] })).toEqual([{ id: '1' }]);
    expect(listResourcesOf({ totalResults: 0 })).toEqual([]);
    expect(listResourcesOf({ Resources: {} })).toBeUndefined();
    expect(listResourcesOf({ totalResults: '1', Resources: [] })).toBeUndefined();
    expect(scimErrorOf({ detail: ' no ', scimType: 'uniqueness' })).toEqual({ detail: 'no', scimType: 'uniqueness' });
    expect(scimErrorOf({ detail: 5 })).toEqual({ detail: null, scimType: null });
  });
});
