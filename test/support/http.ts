import type { Server } from 'node:http';
import { LocalJwt } from '../../lib/local/local-auth';
import { createLocalServer, listen } from '../../lib/local/server';
import { installRuntime } from '../../lib/runtime';
import type { TestDeps } from './db';

export type ApiResponse = { status: number; headers: Headers; body: any };
export type Api = {
  baseUrl: string;
  jwt: LocalJwt;
  tokenFor(userId: string): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
};

/** The local server on a free port, serving the real handlers on the test's table. */
export async function startApi(deps: TestDeps): Promise<Api> {
  installRuntime(deps);
  const jwt = LocalJwt.fromKey(new TextEncoder().encode('test-signing-key-0123456789abcdef'));
  const server: Server = createLocalServer({ jwt, outbox: deps.outbox, settle: () => deps.jobs.idle() });
  const port = await listen(server, 0);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
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
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
