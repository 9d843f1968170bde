import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient, type ScimClientOptions } from '../../lib/connectors/scim/client';
import type { DirectoryUser } from '../../lib/connectors/scim/resource';
import { MINIMAL_CAPABILITIES, type ScimOutcome } from '../../lib/connectors/scim/responses';
import { type ScimTestServer, startScimServer } from '../support/scim-server';

/**
 * The SCIM client against a real third-party SCIM 2.0 server (SCIMMY with scimmy-routers,
 * test/support/scim-server.ts) on a loopback port: every answer's semantics come from that library;
 * only the 429/503 and the refused DELETE are injected in front of it.
 */
let server: ScimTestServer;
let client: ScimClient;
let n = 0;

const jane = (overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id: `01JDIRECTORYUSER${String(++n).padStart(10, '0')}`,
  status: 'active',
  loginEmail: `jane.doe.${n}@corp.example`,
  contactEmail: `jane.${n}@home.example`,
  firstName: 'Jane',
  lastName: 'Doe',
  ...overrides,
});

function value<T>(outcome: ScimOutcome<T>): T {
  if (outcome.outcome !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

const calls = () => server.requests.map((r) => `${r.method} ${r.path}`);

const fresh = (patch = true) => {
  server.patchSupported(patch);
  return createScimClient({ baseUrl: server.baseUrl, token: server.token });
};

beforeAll(async () => {
  server = await startScimServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.refuseDelete(null);
  server.requests.length = 0;
  client = fresh(true);
});

describe('SCIM client against SCIMMY', () => {
  it('discovers what the provider supports from /ServiceProviderConfig', async () => {
    expect(value(await client.discover())).toMatchObject({ patch: true, filter: true, bulk: true, etag: false });
    expect(value(await fresh(false).discover())).toMatchObject({ patch: false, filter: true });
  });

  it('provisions a user: userName and work address are the login, the contact address is other, externalId the directory id', async () => {
    const user = jane();
    const { account, adopted } = value(await client.provision(user));
    expect(adopted).toBe(false);
    expect(account).toMatchObject({ userName: user.loginEmail, externalId: user.id, active: true });
    const stored = server.users.get(account.remoteId);
    expect(stored).toMatchObject({
      userName: user.loginEmail,
      externalId: user.id,
      active: true,
      displayName: 'Jane Doe',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [
        { value: user.loginEmail, type: 'work', primary: true },
        { value: user.contactEmail, type: 'other', primary: false },
      ],
    });
    expect(value(await client.find(account.remoteId))).toMatchObject({ remoteId: account.remoteId, userName: user.loginEmail });
    expect(value(await client.findByUserName(user.loginEmail))).toMatchObject({ remoteId: account.remoteId });
    expect(value(await client.findByUserName('nobody@corp.example'))).toBeNull();
  });

  it('an invited user gets an inactive account, and no other address without a contact address', async () => {
    const user = jane({ status: 'invited', contactEmail: null });
    const { account } = value(await client.provision(user));
    expect(server.users.get(account.remoteId)).toMatchObject({ active: false, emails: [{ value: user.loginEmail, type: 'work' }] });
  });

  it('adopts the account that already holds the login (409 uniqueness) instead of creating a twin, and updates it', async () => {
    const user = jane();
    const first = value(await client.provision({ ...user, firstName: 'J.' }));
    // As if made by hand in the connected system: no externalId.
    delete server.users.get(first.account.remoteId)!.externalId;
    server.requests.length = 0;
    const again = value(await client.provision(user));
    expect(again).toMatchObject({ adopted: true, account: { remoteId: first.account.remoteId } });
    expect([...server.users.values()].filter((u) => u.userName === user.loginEmail)).toHaveLength(1);
    expect(server.users.get(first.account.remoteId)).toMatchObject({ name: { givenName: 'Jane' }, externalId: user.id });
    expect(calls()).toEqual(['POST /Users', 'GET /Users', 'GET /ServiceProviderConfig', `PATCH /Users/${first.account.remoteId}`]);
  });

  it('does not adopt an account recorded as another directory user', async () => {
    const user = jane();
    value(await client.provision(user));
    const successor = { ...jane(), loginEmail: user.loginEmail };
    const outcome = await client.provision(successor);
    expect(outcome).toMatchObject({ outcome: 'failed', status: 409, scimType: 'uniqueness' });
    expect(outcome.outcome === 'failed' && outcome.reason).toContain(`belongs to directory user ${user.id}`);
  });

  it('updates with PATCH replace operations of only what changed', async () => {
    const user = jane();
    const { account } = value(await client.provision(user));
    server.requests.length = 0;
    const changed = { ...user, lastName: 'Smith', contactEmail: null };
    expect(value(await client.update(account.remoteId, changed))).toEqual({ remoteId: account.remoteId, changed: true });
    expect(calls()).toEqual([`GET /Users/${account.remoteId}`, 'GET /ServiceProviderConfig', `PATCH /Users/${account.remoteId}`]);
    expect(server.users.get(account.remoteId)).toMatchObject({
      name: { givenName: 'Jane', familyName: 'Smith' },
      displayName: 'Jane Smith',
      emails: [{ value: user.loginEmail, type: 'work' }],
    });
    expect((server.users.get(account.remoteId)!.emails as unknown[]).length).toBe(1);
    server.requests.length = 0;
    expect(value(await client.update(account.remoteId, changed))).toEqual({ remoteId: account.remoteId, changed: false });
    expect(calls()).toEqual([`GET /Users/${account.remoteId}`]);
  });

  it('updates with PUT of the whole resource where the provider has no PATCH, keeping what the directory does not own', async () => {
    const putClient = fresh(false);
    const user = jane();
    const { account } = value(await putClient.provision(user));
    server.users.get(account.remoteId)!.title = 'Engineer';
    server.requests.length = 0;
    const renamed = { ...user, loginEmail: `renamed.${user.loginEmail}` };
    expect(value(await putClient.update(account.remoteId, renamed))).toMatchObject({ changed: true });
    expect(calls()).toEqual([`GET /Users/${account.remoteId}`, 'GET /ServiceProviderConfig', `PUT /Users/${account.remoteId}`]);
    expect(server.users.get(account.remoteId)).toMatchObject({ userName: renamed.loginEmail, title: 'Engineer', externalId: user.id });
  });

  it('a provider that stops supporting PATCH after discovery (501) is updated with PUT at once, and the caller is told', async () => {
    const told: boolean[] = [];
    server.patchSupported(true);
    const c = createScimClient({ baseUrl: server.baseUrl, token: server.token, onDiscovered: (caps) => told.push(caps.patch) });
    const user = jane();
    const { account } = value(await c.provision(user));
    value(await c.discover());
    server.patchSupported(false);
    server.requests.length = 0;
    expect(value(await c.deactivate(account.remoteId))).toMatchObject({ changed: true });
    expect(server.users.get(account.remoteId)?.active).toBe(false);
    expect(value(await c.update(account.remoteId, { ...user, lastName: 'Renamed' }))).toMatchObject({ changed: true });
    expect(server.users.get(account.remoteId)).toMatchObject({ name: { familyName: 'Renamed' } });
    expect(calls().filter((call) => call.startsWith('PATCH'))).toEqual([`PATCH /Users/${account.remoteId}`]);
    expect(told).toEqual([true, false]);
  });

  it.each([
    ['PATCH', true],
    ['PUT', false],
  ])('deactivates and reactivates (%s)', async (method, patch) => {
    const c = fresh(patch);
    const { account } = value(await c.provision(jane()));
    value(await c.deactivate(account.remoteId));
    expect(server.users.get(account.remoteId)?.active).toBe(false);
    value(await c.reactivate(account.remoteId));
    expect(server.users.get(account.remoteId)?.active).toBe(true);
    expect(server.requests.map((r) => r.method)).toContain(method);
  });

  it('deprovisions with DELETE; an account already gone is absent', async () => {
    const { account } = value(await client.provision(jane()));
    expect(value(await client.deprovision(account.remoteId))).toEqual({ remoteId: account.remoteId, result: 'deleted' });
    expect(server.users.has(account.remoteId)).toBe(false);
    expect(value(await client.deprovision(account.remoteId))).toMatchObject({ result: 'absent' });
  });

  it.each([405, 403, 501])('deactivates instead where DELETE is refused with %i', async (status) => {
    const { account } = value(await client.provision(jane()));
    server.refuseDelete(status);
    expect(value(await client.deprovision(account.remoteId))).toEqual({ remoteId: account.remoteId, result: 'deactivated' });
    expect(server.users.get(account.remoteId)?.active).toBe(false);
  });

  it('answers gone for an account deleted by hand, so the caller provisions again', async () => {
    const user = jane();
    const { account } = value(await client.provision(user));
    server.users.delete(account.remoteId);
    for (const outcome of [await client.find(account.remoteId), await client.update(account.remoteId, user), await client.deactivate(account.remoteId)]) {
      expect(outcome).toMatchObject({ outcome: 'gone', status: 404 });
      expect(outcome.outcome === 'gone' && outcome.reason).toMatch(/HTTP 404 \(Resource .+ not found\)/);
    }
    const again = value(await client.provision(user));
    expect(again.adopted).toBe(false);
    expect(again.account.remoteId).not.toBe(account.remoteId);
  });

  it('answers retryLater with the delay of Retry-After on 429 (seconds) and 503 (HTTP-date)', async () => {
    const user = jane();
    server.injectOnce({ status: 429, headers: { 'Retry-After': '7' }, detail: 'Too many requests' });
    expect(await client.provision(user)).toEqual({
      outcome: 'retryLater',
      status: 429,
      retryAfterMs: 7000,
      reason: 'POST /Users: HTTP 429 (Too many requests)',
    });
    const at = new Date(Date.now() + 120_000);
    server.injectOnce({ status: 503, headers: { 'Retry-After': at.toUTCString() } });
    const outcome = await client.provision(user);
    expect(outcome).toMatchObject({ outcome: 'retryLater', status: 503 });
    expect(outcome.outcome === 'retryLater' && outcome.retryAfterMs).toBeGreaterThan(100_000);
    // Nothing was created meanwhile; the next attempt goes through.
    expect([...server.users.values()].some((u) => u.userName === user.loginEmail)).toBe(false);
    expect(value(await client.provision(user)).adopted).toBe(false);
  });

  it('answers retryLater with the default backoff on a 500 without Retry-After', async () => {
    server.injectOnce({ status: 500, detail: 'Internal error' });
    expect(await client.find('any')).toMatchObject({ outcome: 'retryLater', status: 500, retryAfterMs: 60_000 });
  });

  it('answers unauthorized for a wrong token, without repeating the token the provider echoed', async () => {
    const wrong = createScimClient({ baseUrl: server.baseUrl, token: 'wrong-token-123' });
    const outcomes = [await wrong.discover(), await wrong.provision(jane()), await wrong.deprovision('x')];
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ outcome: 'unauthorized', status: 401 });
      const reason = outcome.outcome === 'unauthorized' ? outcome.reason : '';
      expect(reason).toContain('is not valid');
      expect(reason).not.toContain('wrong-token-123');
      expect(reason).toContain('[redacted]');
    }
    // An update needs the capabilities first: it fails the same way, not by falling back to PUT.
    expect(await wrong.deactivate('x')).toMatchObject({ outcome: 'unauthorized' });
  });

  it('surfaces the SCIM error body (scimType, detail) as the reason of a refused request', async () => {
    // SCIMMY's filter parser does not read JSON escapes inside a value (directory logins never hold
    // a quote or backslash): its own 400 invalidFilter error serves as a refused request.
    expect(await client.findByUserName('a"b@corp.example')).toEqual({
      outcome: 'failed',
      status: 400,
      scimType: 'invalidFilter',
      reason: `GET /Users?filter=userName eq: HTTP 400 (invalidFilter: Unexpected token 'b@corp.example"' in filter)`,
    });
  });

  it("answers failed with the provider's reason on a 409 whose holder its filter does not find", async () => {
    const user = jane();
    const { account } = value(await client.provision(user));
    // Renamed by hand with another case: the store's uniqueness ignores case, SCIMMY's filter does not.
    server.users.get(account.remoteId)!.userName = user.loginEmail.toUpperCase();
    expect(await client.provision(user)).toEqual({
      outcome: 'failed',
      status: 409,
      scimType: 'uniqueness',
      reason: `POST /Users: HTTP 409 (uniqueness: userName ${user.loginEmail} is already taken)`,
    });
  });
});

describe('SCIM client transport', () => {
  let raw: Server;
  let rawUrl: string;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = () => {};

  beforeAll(async () => {
    raw = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/scim/v2/`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        raw.closeAllConnections();
        raw.close(() => resolve());
      }),
  );
  const rawClient = (options: Partial<ScimClientOptions> = {}) =>
    createScimClient({ baseUrl: rawUrl, token: 'tok-secret', capabilities: { ...MINIMAL_CAPABILITIES, patch: true }, ...options });

  it('sends the bearer token and SCIM content type to the base URL without a doubled slash', async () => {
    let seen: { url?: string; method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handle = (req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen = { url: req.url, method: req.method, headers: req.headers, body };
        res.writeHead(204).end();
      });
    };
    expect(await rawClient().deactivate('a/b c')).toEqual({ outcome: 'ok', value: { remoteId: 'a/b c', changed: true } });
    expect(seen.url).toBe('/scim/v2/Users/a%2Fb%20c');
    expect(seen.method).toBe('PATCH');
    expect(seen.headers).toMatchObject({ authorization: 'Bearer tok-secret', 'content-type': 'application/scim+json' });
    expect(seen.headers?.accept).toContain('application/scim+json');
    expect(JSON.parse(seen.body ?? '')).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
  });

  it('gives up after the timeout and answers retryLater', async () => {
    handle = () => {}; // never answers
    const started = Date.now();
    expect(await rawClient({ timeoutMs: 150 }).find('1')).toEqual({
      outcome: 'retryLater',
      status: null,
      retryAfterMs: 60_000,
      reason: 'GET /Users/{id}: no answer within 0.15 s',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops reading past the response size cap, announced or streamed', async () => {
    const big = JSON.stringify({ id: '1', userName: 'x'.repeat(4096) });
    handle = (req, res) => {
      if (req.url?.endsWith('/declared')) res.writeHead(200, { 'content-length': Buffer.byteLength(big) }).end(big);
      else {
        res.writeHead(200);
        for (let i = 0; i < 8; i++) res.write(big);
        res.end();
      }
    };
    for (const id of ['declared', 'streamed']) {
      expect(await rawClient({ maxResponseBytes: 4000 }).find(id)).toEqual({
        outcome: 'failed',
        status: 200,
        scimType: null,
        reason: 'GET /Users/{id}: the response is larger than 4000 bytes',
      });
    }
  });

  it('answers failed for a 2xx that is not JSON or not a User, and does not follow redirects', async () => {
    const answers: Record<string, [number, Record<string, string>, string]> = {
      html: [200, { 'content-type': 'text/html' }, '<html>login</html>'],
      empty: [200, {}, '{}'],
      moved: [302, { location: 'https://elsewhere.example/' }, ''],
    };
    handle = (req, res) => {
      const [status, headers, body] = answers[req.url?.split('/').pop() ?? ''] ?? [500, {}, ''];
      res.writeHead(status, headers).end(body);
    };
    const c = rawClient();
    expect(await c.find('html')).toMatchObject({ outcome: 'failed', reason: 'GET /Users/{id}: HTTP 200 with a body that is not JSON' });
    expect(await c.find('empty')).toMatchObject({ outcome: 'failed', reason: 'GET /Users/{id}: HTTP 200 without a SCIM User resource' });
    expect(await c.find('moved')).toMatchObject({ outcome: 'failed', status: 302, reason: 'GET /Users/{id}: HTTP 302 redirect, not followed' });
  });

  it('answers retryLater when the provider cannot be reached, naming only the error code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = createScimClient({ baseUrl: `http://127.0.0.1:${port}/scim`, token: 'tok-secret' });
    expect(await c.discover()).toEqual({
      outcome: 'retryLater',
      status: null,
      retryAfterMs: 60_000,
      reason: 'GET /ServiceProviderConfig: could not reach the provider (ECONNREFUSED)',
    });
  });

  it('falls back to PUT where the provider has no readable ServiceProviderConfig', async () => {
    const methods: string[] = [];
    handle = (req, res) => {
      methods.push(`${req.method} ${req.url}`);
      if (req.url?.endsWith('/ServiceProviderConfig')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/scim+json' }).end(JSON.stringify({ id: '7', userName: 'jane@corp.example', active: 'True' }));
    };
    const c = createScimClient({ baseUrl: rawUrl, token: 'tok-secret' });
    expect(await c.deactivate('7')).toEqual({ outcome: 'ok', value: { remoteId: '7', changed: true } });
    expect(methods).toEqual(['GET /scim/v2/ServiceProviderConfig', 'GET /scim/v2/Users/7', 'PUT /scim/v2/Users/7']);
  });

  it.each([
    ['ftp://scim.example/v2', 'must be https'],
    ['http://scim.example/v2', 'must be https'],
    ['https://user:pass@scim.example/v2', 'must not carry credentials'],
    ['https://scim.example/v2?tenant=1', 'must not have a query or fragment'],
    ['not a url', 'is not a URL'],
  ])('refuses the base URL %s', (baseUrl, message) => {
    expect(() => createScimClient({ baseUrl, token: 't' })).toThrow(message);
  });

  it('refuses a token that could not be a header value, without quoting it', () => {
    expect(() => createScimClient({ baseUrl: 'https://scim.example/v2', token: 'abc\r\nX-Evil: 1' })).toThrow(
      /^The SCIM bearer token must be non-empty visible ASCII$/,
    );
    expect(() => createScimClient({ baseUrl: 'https://scim.example/v2', token: '' })).toThrow();
  });
});
