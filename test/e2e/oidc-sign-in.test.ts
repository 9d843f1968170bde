import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import Provider from 'oidc-provider';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../../infra/console';

/**
 * The console's OIDC module (console/src/auth/oidc.ts) signs in for real: bundled as the console
 * bundles it, run in headless Chromium on a page served with the console's deployed
 * Content-Security-Policy, against a real OIDC provider (panva's oidc-provider) on loopback. The
 * authorization code flow with PKCE must end with an access token that passes the checks API
 * Gateway's JWT authorizer makes: signature from the issuer's JWKS, iss, aud, expiry, scope.
 */

const clientId = 'directory-console';
const audience = 'directory-api';
const adminScope = 'directory.admin';
const scope = `openid email profile ${adminScope}`;

let provider: Server;
let site: Server;
/** A stand-in for the API that refuses every token, as it does one it no longer accepts. */
let refusingApi: Server;
let apiUrl: string;
const apiCalls: { authorization: string | undefined }[] = [];
let browser: Browser;
let issuer: string;
let origin: string;

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** The provider: the console as a public client (no secret; oidc-provider then requires PKCE), JWT access tokens for the API. */
function oidcProvider(issuerUrl: string, consoleOrigin: string) {
  return new Provider(issuerUrl, {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${consoleOrigin}/console/callback`],
        post_logout_redirect_uris: [`${consoleOrigin}/console/`],
      },
    ],
    scopes: ['openid', 'email', 'profile', adminScope],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: `${id}@corp.example`, name: id }) }),
    cookies: { keys: ['oidc-sign-in-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    // The token endpoint answers the console's origin only, as a provider configured for it does.
    clientBasedCORS: (_ctx, requestOrigin) => requestOrigin === consoleOrigin,
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      // As an Auth0 API or an Okta authorization server do: the access token is a JWT for the
      // API's audience, carrying the API's scopes that were granted.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:directory:api',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: adminScope, audience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
  });
}

/**
 * The module as the console build bundles it (ESM for the browser, oidc-client-ts included), with
 * what the console wires around it: the session module (which loads it) and the API client.
 */
async function bundledModule(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "export * from './auth/oidc';",
        "export { onRefusedToken, tokenNow, signOut } from './auth/session';",
        "export { createApi } from './api';",
      ].join('\n'),
      resolveDir: fileURLToPath(new URL('../../console/src/', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * A stand-in for CloudFront: every /console/ route answers a page that loads the module (as the
 * SPA rewrite answers index.html), each with the CSP the stacks deploy for this issuer.
 */
function consoleSite(moduleSource: string, csp: () => string): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    const send = (type: string, body: string) => {
      res.writeHead(200, { 'content-type': type, 'content-security-policy': csp(), 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/console/oidc.js') return send('text/javascript', moduleSource);
    if (path === '/console/boot.js')
      return send('text/javascript', "import * as oidc from './oidc.js'; window.directoryOidc = oidc; document.title = 'ready';");
    if (path.startsWith('/console/')) {
      return send(
        'text/html',
        '<!doctype html><html lang="en"><head><title>loading</title><script type="module" src="/console/boot.js"></script></head><body></body></html>',
      );
    }
    res.writeHead(404).end();
  });
}

type Flow = { page: Page; requests: { url: string; method: string; body: string | null }[]; cspViolations: string[] };

async function openConsole(path: string): Promise<Flow> {
  const page = await browser.newPage();
  // A broken step fails in seconds, not at the test's timeout.
  page.setDefaultTimeout(15_000);
  const flow: Flow = { page, requests: [], cspViolations: [] };
  // Loopback only: the provider's pages name a web font, and nothing here may leave the machine.
  await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  page.on('request', (request) => flow.requests.push({ url: request.url(), method: request.method(), body: request.postData() }));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) flow.cspViolations.push(message.text());
  });
  await loadConsole(page, path);
  return flow;
}

async function loadConsole(page: Page, path: string): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.waitForFunction("document.title === 'ready'");
}

/** Calls one of the module's functions in the page; this project's types have no DOM, so as source text. */
const call = <T>(page: Page, fn: string): Promise<T> =>
  page.evaluate(`window.directoryOidc.${fn}(${JSON.stringify({ issuer, clientId, scope })})`) as Promise<T>;

/** Starts a function that leaves the page (a redirect to the provider) and waits until the browser is at `url`. */
async function navigatingCall(page: Page, fn: string, url: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(url), call(page, fn).catch(() => undefined)]);
}

/** The provider's development login and consent pages. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

beforeAll(async () => {
  const csp = { value: '' };
  site = consoleSite(await bundledModule(), () => csp.value);
  origin = await listen(site);
  // The port must be known before the provider is built with it as its issuer.
  const providerServer = createServer();
  issuer = await listen(providerServer);
  providerServer.on('request', oidcProvider(issuer, origin).callback());
  provider = providerServer;
  refusingApi = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET',
    };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    apiCalls.push({ authorization: req.headers.authorization });
    res.writeHead(401, { ...cors, 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: '/problems/unauthorized', code: 'unauthorized', status: 401, title: 'Unauthorized', detail: 'The token is not accepted.' }));
  });
  apiUrl = await listen(refusingApi);
  csp.value = consoleContentSecurityPolicy({ apiOrigin: apiUrl, issuer });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await new Promise((resolve) => refusingApi?.close(resolve));
  provider?.closeAllConnections();
  await new Promise((resolve) => provider?.close(resolve));
});

describe('OIDC sign-in of the console (authorization code + PKCE, in Chromium)', () => {
  it('redirects with an S256 challenge, redeems the code with its verifier and ends with an access token the API accepts', async () => {
    // Arrange: an admin on a deep link of the console, not signed in.
    const { page, requests, cspViolations } = await openConsole('/console/users/01JADMIN?q=jane');
    expect(await call(page, 'oidcAccessToken')).toBeUndefined();
    expect(await call(page, 'oidcCompleteSignIn')).toBeUndefined();

    // Act: sign in at the provider, come back to the callback, complete there.
    await navigatingCall(page, 'oidcSignIn', /\/interaction\//);
    await signInAtProvider(page, 'admin-1');
    await page.waitForURL(`${origin}/console/callback?**`);
    await page.waitForFunction("document.title === 'ready'");
    const token = await call<string | undefined>(page, 'oidcCompleteSignIn');

    // Assert: the authorization request carried a PKCE challenge, the token request its verifier.
    const authorize = new URL(requests.find((r) => r.url.startsWith(`${issuer}/auth?`))!.url);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe(clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/console/callback`);
    expect(authorize.searchParams.get('scope')).toBe(scope);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const challenge = authorize.searchParams.get('code_challenge')!;
    const tokenRequest = requests.find((r) => r.method === 'POST' && r.url === `${issuer}/token`)!;
    const form = new URLSearchParams(tokenRequest.body ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.has('client_secret')).toBe(false);
    expect(base64url(createHash('sha256').update(form.get('code_verifier')!).digest())).toBe(challenge);

    // The token passes what API Gateway's JWT authorizer checks with jwtIssuer, jwtAudience, jwtScopes.
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const { payload, protectedHeader } = await jwtVerify(token!, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer, audience });
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.sub).toBe('admin-1');
    expect(String(payload.scope).split(' ')).toContain(adminScope);

    // The code and state have left the address bar: the admin is back on the deep link.
    expect(await page.evaluate('location.pathname + location.search')).toBe('/console/users/01JADMIN?q=jane');
    // Tokens in this tab's sessionStorage only; the deployed CSP let every request through.
    const stored = (await page.evaluate('Object.keys(sessionStorage)')) as string[];
    expect(stored.some((key) => key.startsWith('directory.oidc.user.'))).toBe(true);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(cspViolations).toEqual([]);

    // A reload keeps the session; nothing there is a callback any more.
    await loadConsole(page, '/console/users/01JADMIN');
    expect(await call(page, 'oidcCompleteSignIn')).toBeUndefined();
    expect(await call(page, 'oidcAccessToken')).toBe(token);

    // A token at its expiry is not handed out; without a refresh token the session ends.
    const userKey = stored.find((key) => key.startsWith('directory.oidc.user.'))!;
    await page.evaluate(`(() => {
      const user = JSON.parse(sessionStorage.getItem(${JSON.stringify(userKey)}));
      user.expires_at = Math.floor(Date.now() / 1000) + 5;
      sessionStorage.setItem(${JSON.stringify(userKey)}, JSON.stringify(user));
    })()`);
    expect(await call(page, 'oidcAccessToken')).toBeUndefined();
    expect(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(userKey)})`)).toBeNull();
    await page.close();
  });

  it('signs out at the provider and comes back to /console/ with no token left', async () => {
    const { page } = await openConsole('/console/');
    await navigatingCall(page, 'oidcSignIn', /\/interaction\//);
    await signInAtProvider(page, 'admin-2');
    await page.waitForURL(`${origin}/console/callback?**`);
    await page.waitForFunction("document.title === 'ready'");
    expect(await call(page, 'oidcCompleteSignIn')).toMatch(/^ey/);

    await navigatingCall(page, 'oidcSignOut', /\/session\/end/);
    await Promise.all([page.waitForURL(`${origin}/console/`), page.getByRole('button', { name: 'Yes, sign me out' }).click()]);
    await page.waitForFunction("document.title === 'ready'");

    expect(await call(page, 'oidcAccessToken')).toBeUndefined();
    expect(await page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('directory.oidc.user.')).length")).toBe(0);
    await page.close();
  });

  it("on a token the API refuses, forgets only this tab's tokens, once, and never sends the browser to the provider's end-session endpoint", async () => {
    const { page, requests } = await openConsole('/console/users');
    await navigatingCall(page, 'oidcSignIn', /\/interaction\//);
    await signInAtProvider(page, 'admin-3');
    await page.waitForURL(`${origin}/console/callback?**`);
    await page.waitForFunction("document.title === 'ready'");
    const token = await call<string>(page, 'oidcCompleteSignIn');
    apiCalls.length = 0;

    // Act: a page's worth of calls (five at once), each refused, wired as the console wires them.
    const told = (await page.evaluate(`(async () => {
      const auth = { kind: 'oidc', ...${JSON.stringify({ issuer, clientId, scope })} };
      const m = window.directoryOidc;
      let told = 0;
      const api = m.createApi(${JSON.stringify(apiUrl)}, () => m.tokenNow(auth), m.onRefusedToken(auth, () => { told += 1; }));
      await Promise.all([1, 2, 3, 4, 5].map(() => api.client.GET('/users', {})));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return told;
    })()`)) as number;

    // Assert: the API saw the token five times; the console was told once; the page stayed.
    expect(apiCalls.map((c) => c.authorization)).toEqual(Array(5).fill(`Bearer ${token}`));
    expect(told).toBe(1);
    expect(page.url()).toBe(`${origin}/console/users`);
    expect(requests.filter((r) => r.url.startsWith(`${issuer}/session/end`))).toEqual([]);
    expect(await page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('directory.oidc.user.')).length")).toBe(0);
    expect(await call(page, 'oidcAccessToken')).toBeUndefined();

    // The provider's session is still there: signing in again needs no password.
    await navigatingCall(page, 'oidcSignIn', /\/(interaction|console\/callback)/);
    expect(await page.locator('input[name=password]').count()).toBe(0);
    await page.close();
  });

  it('refuses a callback whose state this tab never sent, and takes the code out of the address bar', async () => {
    const { page } = await openConsole('/console/callback?code=forged&state=0123456789abcdef');

    await expect(call(page, 'oidcCompleteSignIn')).rejects.toThrow(/state/i);

    expect(await page.evaluate('location.pathname + location.search')).toBe('/console/');
    expect(await call(page, 'oidcAccessToken')).toBeUndefined();
    await page.close();
  });
});
