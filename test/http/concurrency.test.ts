import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/data/keys';
import { expectClaimsConsistent } from '../support/invariants';
import { itemsWithPrefix, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { startApiWithAdmin, type Api } from '../support/http';

let deps: TestDeps;
let api: Api;
let token: string;

beforeAll(async () => ({ deps, api, token } = await startApiWithAdmin()));
afterAll(() => api.close());

describe('uniqueness under concurrency', () => {
  it('20 simultaneous invites of one address: exactly one 201, nineteen 409s, one claim, no stray items', async () => {
    const address = 'race@corp.example';
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.request('POST', '/users', {
          token,
          body: makeInvite({ loginEmail: i % 2 ? address : address.toUpperCase(), contactEmail: `race-contact-${i}@home.example` }),
        }),
      ),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = responses.find((r) => r.status === 201)!.body;
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect(loser.body).toMatchObject({ code: 'email_in_use', email: address, usedAs: ['login'], user: { id: winner.id, status: 'invited' } });
    }
    const claims = await itemsWithPrefix(deps.table, 'EMAIL#race@');
    expect(claims.map((c) => [c.email, c.userId])).toEqual([[address, winner.id]]);
    // The losers' contact addresses were never claimed, and none of their users exist.
    expect(await itemsWithPrefix(deps.table, 'EMAIL#race-contact-')).toHaveLength(1);
    const users = (await itemsWithPrefix(deps.table, 'USER#')).filter((item) => item.sk === 'PROFILE' && item.loginEmail === address);
    expect(users).toHaveLength(1);
    expect((await itemsWithPrefix(deps.table, keys.invitation(winner.id).pk)).filter((i) => i.sk === 'INVITATION')).toHaveLength(1);
  });

  it('two users racing for one contact address: exactly one gets it', async () => {
    const adminId = (await seedAdmin(deps)).id;
    const [a, b] = await Promise.all([seedActiveUser(deps, adminId), seedActiveUser(deps, adminId)]);
    const body = { email: 'contested@home.example' };

    const responses = await Promise.all([a!, b!].map((user) => api.request('PUT', `/users/${user.id}/contact-email`, { token, body })));

    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const claims = await itemsWithPrefix(deps.table, 'EMAIL#contested');
    expect(claims).toHaveLength(1);
    expect(claims[0]!.userId).toBe(responses.find((r) => r.status === 200)!.body.id);
  });

  it('concurrent changes to one user are serialised, not lost: every change lands or is re-decided', async () => {
    const adminId = (await seedAdmin(deps)).id;
    const user = await seedActiveUser(deps, adminId);
    const addresses = Array.from({ length: 5 }, (_, i) => `serial-${i}@home.example`);

    const responses = await Promise.all(addresses.map((email) => api.request('PUT', `/users/${user.id}/contact-email`, { token, body: { email } })));

    expect(responses.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    const final = (await api.request('GET', `/users/${user.id}`, { token })).body.contactEmail;
    const claims = await itemsWithPrefix(deps.table, 'EMAIL#serial-');
    expect(claims.map((c) => c.email)).toEqual([final]);
  });
});

describe('afterwards', () => {
  it('every address a user holds has exactly one claim naming them, and no claim is stray', async () => {
    await expectClaimsConsistent(deps.table);
  });
});
