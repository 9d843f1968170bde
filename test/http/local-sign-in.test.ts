import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dismissUser, inviteUser, setAdmin } from '../../lib/use-cases/users';
import { makeInvite, seedActiveUser } from '../support/factories';
import { startApiWithAdmin, type ApiFixture } from '../support/http';

let fixture: ApiFixture;

beforeAll(async () => {
  fixture = await startApiWithAdmin();
});
afterAll(() => fixture.api.close());

/** A raw request, so the test (not fetch) decides Host, Origin and Content-Type. */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const request = httpRequest(`${fixture.api.baseUrl}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const signIn = (userId: string, headers: Record<string, string> = {}) =>
  send('POST', '/_local/sign-in', { 'content-type': 'application/json', ...headers }, JSON.stringify({ userId }));

describe('GET /_local/admins', () => {
  it('lists the active admins only, by name, with their login address', async () => {
    const { deps, admin } = fixture;
    const second = await seedActiveUser(deps, admin.id, { firstName: 'Ada', lastName: 'Second' });
    await setAdmin(deps, admin.id, second.id, true);
    const notAdmin = await seedActiveUser(deps, admin.id);
    const invited = await inviteUser(deps, admin.id, makeInvite());
    const response = await fixture.api.request('GET', '/_local/admins');
    expect(response.status).toBe(200);
    const ids = response.body.items.map((item: { id: string }) => item.id);
    expect(response.body.items).toContainEqual({ id: second.id, name: 'Ada Second', loginEmail: second.loginEmail });
    expect(ids).toContain(admin.id);
    expect(ids).not.toContain(notAdmin.id);
    expect(ids).not.toContain(invited.id);
  });

  it('answers no client that addressed another host name', async () => {
    expect((await send('GET', '/_local/admins', { host: 'attacker.example' })).status).toBe(404);
    expect((await send('GET', '/_local/admins', { host: '127.0.0.1:3000' })).status).toBe(200);
  });
});

describe('POST /_local/sign-in', () => {
  it('gives an active admin a token the API takes, with its expiry', async () => {
    const response = await signIn(fixture.admin.id, { origin: 'http://127.0.0.1:3000' });
    expect(response.status).toBe(200);
    const { token, expiresAt } = JSON.parse(response.body) as { token: string; expiresAt: string };
    const hoursLeft = (Date.parse(expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(11.9);
    expect(hoursLeft).toBeLessThanOrEqual(12);
    expect((await fixture.api.request('GET', `/users/${fixture.admin.id}`, { token })).status).toBe(200);
  });

  it('refuses a user who is not an active admin', async () => {
    const { deps, admin } = fixture;
    const plain = await seedActiveUser(deps, admin.id);
    const formerAdmin = await seedActiveUser(deps, admin.id);
    await setAdmin(deps, admin.id, formerAdmin.id, true);
    await dismissUser(deps, admin.id, formerAdmin.id, {});
    for (const userId of [plain.id, formerAdmin.id, '01JD3ZK1X7Q8M2V5N4R6T9W0YB', 'not-an-id']) {
      const response = await signIn(userId);
      expect({ userId, status: response.status, code: JSON.parse(response.body).code }).toEqual({ userId, status: 403, code: 'forbidden' });
    }
  });

  it('refuses a request addressed to another host name, as if it did not exist', async () => {
    const response = await signIn(fixture.admin.id, { host: 'rebound.attacker.example' });
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('token"');
  });

  it('refuses a body that is not JSON: a cross-site form or text/plain post', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await send('POST', '/_local/sign-in', { 'content-type': type }, JSON.stringify({ userId: fixture.admin.id }));
      expect({ type, status: response.status, code: JSON.parse(response.body).code }).toEqual({ type, status: 400, code: 'invalid_request' });
    }
    const untyped = await send('POST', '/_local/sign-in', {}, JSON.stringify({ userId: fixture.admin.id }));
    expect(untyped.status).toBe(400);
  });

  it('refuses a page of another origin, and grants no CORS preflight', async () => {
    const foreign = await signIn(fixture.admin.id, { origin: 'https://attacker.example' });
    expect(foreign.status).toBe(403);
    const preflight = await send('OPTIONS', '/_local/sign-in', {
      origin: 'https://attacker.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a body that names no user id', async () => {
    for (const body of ['{}', '{"userId":7}', 'null', 'not json']) {
      const response = await send('POST', '/_local/sign-in', { 'content-type': 'application/json' }, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
  });
});
