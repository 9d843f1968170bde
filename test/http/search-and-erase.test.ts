import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { searchKeys, searchTermItem } from '../../lib/data/search';
import { searchFields } from '../../lib/domain/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { bootstrapAdmin, dismissUser, setContactEmail, setLegalHold } from '../../lib/use-cases/users';
import { runCleanup } from '../../lib/use-cases/cleanup';
import type { TestDeps } from '../support/db';
import { seedActiveUser } from '../support/factories';
import { startApiWithAdmin, type Api } from '../support/http';
import { expectClaimsConsistent } from '../support/invariants';

let deps: TestDeps;
let api: Api;
let admin: User;
let token: string;

beforeAll(async () => ({ deps, api, admin, token } = await startApiWithAdmin()));
afterAll(() => api.close());

/** A name no other test's users start with, so each case sees only its own users. */
const tag = () => `Q${randomUUID().replace(/-/g, '').slice(0, 8)}`;
const search = async (query: string) => {
  const response = await api.request('GET', `/users?${query}`, { token });
  expect(response.status).toBe(200);
  return response.body as { items: { id: string }[]; nextCursor: string | null };
};
const ids = (page: { items: { id: string }[] }) => page.items.map((user) => user.id);

describe('GET /users?q= finds people by the start of a name or an address', () => {
  it('matches first name, last name, full name and either address, ignoring case and accents', async () => {
    const t = tag();
    const jose = await seedActiveUser(deps, admin.id, { firstName: `Jösé${t}`, lastName: 'Ávila', loginEmail: `jo.${t}@corp.example`.toLowerCase() });
    const other = await seedActiveUser(deps, admin.id, { firstName: 'Ann', lastName: `Ló${t}pez`, contactEmail: `${t}.home@mail.example`.toLowerCase() });

    expect(ids(await search(`q=${encodeURIComponent(`JOSE${t}`)}`))).toEqual([jose.id]);
    expect(ids(await search(`q=${encodeURIComponent(`lo${t}`)}`))).toEqual([other.id]);
    expect(ids(await search(`q=${encodeURIComponent(`jose${t} avi`)}`))).toEqual([jose.id]);
    expect(ids(await search(`q=${encodeURIComponent(`JO.${t}@`)}`))).toEqual([jose.id]);
    expect(ids(await search(`q=${encodeURIComponent(`${t}.HOME`)}`))).toEqual([other.id]);
    expect(ids(await search(`q=${encodeURIComponent(`${t}x`)}`))).toEqual([]);
  });

  it('pages through every match once, even a user matching by several terms, and filters by status', async () => {
    const t = tag();
    const users: User[] = [];
    for (let i = 0; i < 5; i++) users.push(await seedActiveUser(deps, admin.id, { firstName: `${t}${i}`, lastName: `${t}Family`, contactEmail: null }));
    await dismissUser(deps, admin.id, users[4]!.id, {});

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search(`q=${t}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(seen.sort()).toEqual(users.map((u) => u.id).sort());
    expect(ids(await search(`q=${t}&status=dismissed`))).toEqual([users[4]!.id]);
    expect(ids(await search(`q=${t}&status=active`)).sort()).toEqual(
      users
        .slice(0, 4)
        .map((u) => u.id)
        .sort(),
    );
  });

  it('follows a changed address: the old one finds nothing, the new one finds the user', async () => {
    const t = tag().toLowerCase();
    const user = await seedActiveUser(deps, admin.id, { contactEmail: `${t}.old@home.example` });
    await setContactEmail(deps, admin.id, user.id, `${t}.new@home.example`);

    expect(ids(await search(`q=${t}.old`))).toEqual([]);
    expect(ids(await search(`q=${t}.new`))).toEqual([user.id]);
  });

  it('refuses a search that is not text, with the parameter named, and a cursor from another search', async () => {
    const bad = await api.request('GET', `/users?q=${encodeURIComponent('a\nb')}`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'query.q', message: 'contains invisible, control or line-break characters' }]);
    const t = tag();
    for (let i = 0; i < 3; i++) await seedActiveUser(deps, admin.id, { firstName: `${t}${i}` });
    const page = await search(`q=${t}&limit=1`);
    const foreign = await api.request('GET', `/users?q=${t}z&cursor=${page.nextCursor}`, { token });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ path: 'query.cursor', message: 'cursor is invalid for this query' }]);
  });

  it('users that predate search are indexed once at bootstrap, without overwriting terms a change wrote since', async () => {
    const t = tag().toLowerCase();
    const old = await seedActiveUser(deps, admin.id, { firstName: `${t}first`, lastName: `${t}last`, contactEmail: null });
    const { client, name } = deps.table;
    for (const field of searchFields) await client.send(new DeleteCommand({ TableName: name, Key: searchKeys.searchTerm(old.id, field) }));
    await client.send(new DeleteCommand({ TableName: name, Key: { pk: 'DIRECTORY', sk: 'SEARCH_TERMS' } }));
    // A rename the commit step indexed while the one-off read the user as before.
    await client.send(new PutCommand({ TableName: name, Item: searchTermItem(old.id, 'firstName', `${t}renamed`) }));
    expect(ids(await search(`q=${t}last`))).toEqual([]);

    await bootstrapAdmin(deps, admin.loginEmail);

    expect(ids(await search(`q=${t}last`))).toEqual([old.id]);
    const kept = await client.send(new GetCommand({ TableName: name, Key: searchKeys.searchTerm(old.id, 'firstName') }));
    expect(kept.Item!.gsi6sk).toBe(`${t}renamed#${old.id}`);
  });

  it('a query that grows when folded is answered, not refused by the index', async () => {
    expect(await search(`q=${encodeURIComponent('\ufdfa'.repeat(100))}`)).toEqual({ items: [], nextCursor: null });
  });

  it('an empty q= lists everyone as if it were absent', async () => {
    const plain = await search('limit=3');
    expect(await search('q=&limit=3')).toEqual(plain);
  });
});

describe('page limits read as a person would expect', () => {
  it.each([
    ['limit=', 200, undefined],
    ['limit=abc', 400, 'must be a whole number'],
    ['limit=2.5', 400, 'must be a whole number'],
    ['limit=0', 400, 'must be at least 1'],
  ])('GET /users?%s answers %i', async (query, status, message) => {
    const response = await api.request('GET', `/users?${query}`, { token });
    expect(response.status).toBe(status);
    if (message) expect(response.body.errors).toEqual([{ path: 'query.limit', message }]);
  });
});

describe('POST /users/{id}/erase erases one dismissed account now', () => {
  it('releases its addresses, anonymises it, audits the erasure, and it can no longer be found', async () => {
    const t = tag().toLowerCase();
    const user = await seedActiveUser(deps, admin.id, {
      firstName: `${t}name`,
      loginEmail: `${t}@corp.example`,
      contactEmail: `${t}@home.example`,
      externalId: `HR-${t}`,
    });
    await dismissUser(deps, admin.id, user.id, {});

    const erased = await api.request('POST', `/users/${user.id}/erase`, { token });

    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: user.id, status: 'dismissed', firstName: 'Former', lastName: 'user', contactEmail: null, externalId: null });
    expect(erased.body.loginEmail).toBe(`${user.id.toLowerCase()}@swept.invalid`);
    for (const address of [`${t}@corp.example`, `${t}@home.example`]) {
      expect((await api.request('GET', `/emails/${encodeURIComponent(address)}`, { token })).body).toEqual({ email: address, status: 'free' });
    }
    expect(ids(await search(`q=${t}`))).toEqual([]);
    const audit = await api.request('GET', `/users/${user.id}/audit`, { token });
    expect(audit.body.items[0]).toMatchObject({ action: 'user.erased', actorId: admin.id });
    expect(JSON.stringify(audit.body.items[0])).not.toContain(t);
    await expectClaimsConsistent(deps.table);
  });

  it('a second erasure changes nothing and writes no second entry', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, user.id, {});
    await api.request('POST', `/users/${user.id}/erase`, { token });

    const again = await api.request('POST', `/users/${user.id}/erase`, { token });

    expect(again.status).toBe(200);
    const actions = (await api.request('GET', `/users/${user.id}/audit`, { token })).body.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'user.erased')).toHaveLength(1);
  });

  it('an account the cleanup already swept is answered as it is', async () => {
    const user = await seedActiveUser(deps, admin.id);
    deps.setNow(new Date(Date.now() - 100 * 86_400_000));
    try {
      await dismissUser(deps, admin.id, user.id, {});
    } finally {
      deps.setNow(null);
    }
    await runCleanup(deps, { dryRun: false, retentionDays: 90, actorId: admin.id });

    const response = await api.request('POST', `/users/${user.id}/erase`, { token });

    expect(response.status).toBe(200);
    expect(response.body.firstName).toBe('Former');
  });

  it.each([
    ['an active user', async () => (await seedActiveUser(deps, admin.id)).id, 409, 'invalid_state'],
    [
      'a dismissed user on legal hold',
      async () => {
        const user = await seedActiveUser(deps, admin.id);
        await dismissUser(deps, admin.id, user.id, {});
        await setLegalHold(deps, admin.id, user.id, true);
        return user.id;
      },
      409,
      'invalid_state',
    ],
    ['an unknown user', async () => '01JD3ZK1X7Q8M2V5N4R6T9W0YB', 404, 'not_found'],
  ])('is refused for %s', async (_what, target, status, code) => {
    const id = await target();
    const response = await api.request('POST', `/users/${id}/erase`, { token });
    expect([response.status, response.body.code]).toEqual([status, code]);
    if (status === 409) expect((await api.request('GET', `/users/${id}`, { token })).body.firstName).not.toBe('Former');
  });
});
