import type { Server } from 'node:http';
import { LocalJwt } from '../../lib/local/local-auth';
import { localSignIn } from '../../lib/local/local-sign-in';
import { createLocalServer, listen } from '../../lib/local/server';
import { installRuntime } from '../../lib/runtime';
import type { User } from '../../lib/domain/user';
import { createTestDeps, type TestDeps } from './db';
import { seedAdmin } from './factories';

// biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape; each assertion states the shape it expects
export type ApiResponse = { status: number; headers: Headers; body: any };
export type Api = {
  baseUrl: string;
  jwt: LocalJwt;
  tokenFor(userId: string): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** `GET /_local/outbox`: the mail sent so far. */
  outbox(): Promise<{ to: string; kind: string; token: string; sentAt: string }[]>;
  close(): Promise<void>;
};

/** The local server on a free port, serving the real handlers on the test's table. */
export async function startApi(deps: TestDeps): Promise<Api> {
  installRuntime(deps);
  const jwt = LocalJwt.fromKey(new TextEncoder().encode('test-signing-key-0123456789abcdef'));
  const server: Server = createLocalServer({ jwt, outbox: deps.outbox, settle: () => deps.jobs.idle(), signIn: localSignIn(deps.table, jwt) });
  const port = await listen(server, 0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const api: Api = {
    baseUrl,
    jwt,
    tokenFor: (userId) => jwt.sign(userId),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    outbox: async () => (await api.request('GET', '/_local/outbox')).body,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

export type ApiFixture = { deps: TestDeps; api: Api; admin: User; token: string };

/** What an HTTP test starts from: a fresh table, the local server on it, an admin and their bearer token. */
export async function startApiWithAdmin(adminEmail?: string): Promise<ApiFixture> {
  const deps = await createTestDeps();
  const api = await startApi(deps);
  const admin = await seedAdmin(deps, adminEmail);
  return { deps, api, admin, token: await api.tokenFor(admin.id) };
}
