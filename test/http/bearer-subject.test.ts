import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { makeInvite } from '../support/factories';
import { startApiWithAdmin, type Api } from '../support/http';

let api: Api;
let admin: User;

beforeAll(async () => ({ api, admin } = await startApiWithAdmin()));
afterAll(() => api.close());

/**
 * The token's subject becomes a DynamoDB key (the acting user's id): a trusted token whose
 * subject cannot be a directory user id is refused like any other non-admin, and never read.
 */
describe('the bearer token subject', () => {
  const forbidden = {
    status: 403,
    body: { type: '/problems/forbidden', title: 'Not allowed', status: 403, detail: 'This operation requires a directory admin', code: 'forbidden' },
  };

  it('over 2 KB answers 403, not 500', async () => {
    const token = await api.jwt.sign('A'.repeat(3_000));
    expect(await api.request('GET', '/webhooks/deliveries?status=failed', { token })).toMatchObject(forbidden);
    expect(await api.request('GET', `/users/${admin.id}`, { token })).toMatchObject(forbidden);
    expect(await api.request('POST', '/users', { token, body: makeInvite() })).toMatchObject(forbidden);
  });

  it('that is no user id (ids are ULIDs) answers 403 like an unknown one', async () => {
    for (const subject of ['idp-user-1', `${admin.id}#`, admin.id.toLowerCase(), '01JD3ZK1X7Q8M2V5N4R6T9W0YB']) {
      expect(await api.request('GET', `/users/${admin.id}`, { token: await api.jwt.sign(subject) }), subject).toMatchObject(forbidden);
    }
    expect((await api.request('GET', `/users/${admin.id}`, { token: await api.jwt.sign(admin.id) })).status).toBe(200);
  });
});
