import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, servedMethods } from '../../lib/http/routes';
import { localOnlyRoutes } from '../../lib/local/server';
import { startApiWithAdmin, type Api } from '../support/http';

let api: Api;
let token: string;

beforeAll(async () => ({ api, token } = await startApiWithAdmin('admin@example.com')));
afterAll(() => api.close());

const outbox = () => api.outbox();

describe('the README walk-through: a dismissed user still holds their addresses', () => {
  it('runs as documented', async () => {
    // Invite Jane, who accepts from her mailbox.
    const invited = await api.request('POST', '/users', {
      token,
      body: { type: 'employee', loginEmail: 'jane.doe@corp.example', contactEmail: 'jane@corp.example', firstName: 'Jane', lastName: 'Doe' },
    });
    expect(invited.status).toBe(201);
    const jane = invited.body;
    const mail = (await outbox()).find((m) => m.to === 'jane.doe@corp.example')!;
    expect(mail.kind).toBe('invitation');
    const accepted = await api.request('POST', '/invitations/accept', { body: { token: mail.token } });
    expect(accepted).toMatchObject({ status: 200, body: { id: jane.id, status: 'active' } });

    // Jane leaves.
    const dismissed = await api.request('POST', `/users/${jane.id}/dismiss`, { token, body: {} });
    expect(dismissed.body).toMatchObject({ status: 'dismissed' });

    // Her successor cannot be invited with her contact address: the 409 says who holds it and how to free it.
    const refused = await api.request('POST', '/users', {
      token,
      body: { type: 'employee', loginEmail: 'sam@corp.example', contactEmail: 'jane@corp.example', firstName: 'Sam', lastName: 'Roe' },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'email_in_use',
      email: 'jane@corp.example',
      usedAs: ['contact'],
      user: { id: jane.id, status: 'dismissed', type: 'employee' },
    });
    expect(refused.body.hint).toContain(`/users/${jane.id}/contact-email`);

    // See how an address is used, without rehiring anyone.
    const usage = await api.request('GET', '/emails/Jane%40corp.example', { token });
    expect(usage.body).toEqual({
      email: 'jane@corp.example',
      status: 'in_use',
      usedAs: ['contact'],
      user: { id: jane.id, status: 'dismissed', type: 'employee' },
    });

    // Free it: clear the dismissed user's contact email; the invite now goes through.
    const cleared = await api.request('PUT', `/users/${jane.id}/contact-email`, { token, body: { email: null } });
    expect(cleared.body.contactEmail).toBeNull();
    expect((await api.request('GET', '/emails/jane@corp.example', { token })).body).toEqual({ email: 'jane@corp.example', status: 'free' });
    const retried = await api.request('POST', '/users', {
      token,
      body: { type: 'employee', loginEmail: 'sam@corp.example', contactEmail: 'jane@corp.example', firstName: 'Sam', lastName: 'Roe' },
    });
    expect(retried.status).toBe(201);

    // Her login address is still hers, and the audit trail tells the story newest first.
    expect((await api.request('GET', '/emails/jane.doe@corp.example', { token })).body).toMatchObject({ usedAs: ['login'], user: { status: 'dismissed' } });
    const audit = await api.request('GET', `/users/${jane.id}/audit`, { token });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'user.contact_email_changed',
      'user.dismissed',
      'invitation.accepted',
      'invitation.link_issued',
      'user.invited',
    ]);
  });
});

describe('HTTP edges are 4xx problems, never 500', () => {
  it.each([
    ['malformed JSON', 'POST', '/users', '{"type":', 400],
    ['a JSON array body', 'POST', '/users', '[]', 400],
    ['an unknown enum value', 'POST', '/users', JSON.stringify({ type: 'robot', loginEmail: 'a@b.co', firstName: 'A', lastName: 'B' }), 400],
    ['an invalid address', 'PUT', '/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB/contact-email', JSON.stringify({ email: 'nope' }), 400],
    ['a body over 64 KiB', 'POST', '/users', JSON.stringify({ firstName: 'x'.repeat(66_000) }), 413],
  ])('%s', async (_, method, path, rawBody, status) => {
    const response = await api.request(method, path, { token, rawBody });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.status).toBe(status);
  });

  it.each([
    ['a bad cursor', '/users?cursor=bm90LWEtY3Vyc29y'],
    ['a limit out of range', '/users?limit=1000'],
    ['an unknown status filter', '/users?status=retired'],
    ['an unknown query parameter', '/users?colour=blue'],
    ['an invalid address in the path', '/emails/not-an-address'],
  ])('%s is 400', async (_, path) => {
    const response = await api.request('GET', path, { token });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_request');
  });

  it('unknown routes are 404 and wrong methods 405', async () => {
    expect((await api.request('GET', '/nope', { token })).body).toMatchObject({ status: 404, code: 'not_found' });
    const wrongMethod = await api.request('DELETE', '/users', { token });
    expect(wrongMethod.body).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await api.request('GET', '/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB/erase', { token })).headers.get('allow')).toBe('POST');
  });

  it('HEAD answers wherever GET does, with its status and headers and no body', async () => {
    const head = async (path: string, auth = true) => {
      const response = await fetch(`${api.baseUrl}${path}`, { method: 'HEAD', headers: auth ? { authorization: `Bearer ${token}` } : {} });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    };
    const getRoutes = routes.filter((route) => route.method === 'GET');
    expect(getRoutes.length).toBeGreaterThan(5);
    expect(await head('/openapi.json', false)).toEqual({ status: 200, type: 'application/json', body: '' });
    expect(await head('/users?limit=1')).toEqual({ status: 200, type: 'application/json', body: '' });
    expect(await head('/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB')).toEqual({ status: 404, type: 'application/problem+json', body: '' });
    expect(await head('/users?limit=0')).toMatchObject({ status: 400, body: '' });
    expect(await head('/users', false)).toMatchObject({ status: 401, body: '' });
    expect((await head('/invitations/accept', false)).status).toBe(405);
    expect(await head('/_local/outbox', false)).toEqual({ status: 200, type: 'application/json', body: '' });
  });

  it('unknown users are 404 not_found', async () => {
    const response = await api.request('GET', '/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB', { token });
    expect(response).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });
});

describe('local outbox', () => {
  it('answers loopback clients that name a loopback host, and no one else', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${api.baseUrl}/_local/outbox`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await get('127.0.0.1:3000')).toBe(200);
    expect(await get('localhost')).toBe(200);
    expect(await get('attacker.example')).toBe(404);
  });
});

describe('OpenAPI document', () => {
  it('lists every route the server serves, and the server serves every route it lists', async () => {
    const doc = (await api.request('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = routes.flatMap((route) => servedMethods(route).map((method) => `${method} ${route.path}`)).sort();
    expect(documented).toEqual(served);
    for (const key of documented.filter((k) => !k.startsWith('HEAD '))) {
      const [method, path] = key.split(' ') as [string, string];
      const concrete = path.replace(/\{(id|userId)\}/g, '01JD3ZK1X7Q8M2V5N4R6T9W0YB').replace('{email}', 'x%40y.example');
      const response = await api.request(method, concrete, { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      const unrouted =
        response.body?.code === 'method_not_allowed' || (response.body?.code === 'not_found' && String(response.body.detail).startsWith('route '));
      expect({ key, unrouted }).toEqual({ key, unrouted: false });
    }
    expect(localOnlyRoutes.every((route) => !documented.includes(`${route.method} ${route.path}`))).toBe(true);
  });

  it('describes request bodies from the same schemas the handlers parse with', async () => {
    const doc = (await api.request('GET', '/openapi.json')).body;
    const invite = doc.components.schemas.InviteUser;
    expect(invite.required).toEqual(expect.arrayContaining(['type', 'loginEmail', 'firstName', 'lastName']));
    expect(invite.properties.type.enum).toEqual(['employee', 'extranet']);
    expect(doc.paths['/users'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/invitations/accept'].post.security).toEqual([]);
  });
});
