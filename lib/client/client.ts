/**
 * A typed client of this API (openapi-fetch over the types generated from GET /openapi.json):
 * paths, parameters, bodies and every documented answer, problems included, are checked by the
 * compiler. `npm run client:generate` regenerates ./schema.d.ts after an API change.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type User = Schemas['User'];
/** Any problem document the API answers, discriminated by `code`. */
export type Problem = Schemas[Extract<keyof Schemas, `${string}Problem`>];
export type DirectoryClient = Client<paths>;

export type DirectoryClientOptions = {
  /** e.g. http://127.0.0.1:3000 (npm start) or the HTTP API's URL. */
  baseUrl: string;
  /** The bearer JWT for admin routes: a token, or a function returning the current one. */
  token?: string | (() => string | Promise<string>);
  fetch?: typeof globalThis.fetch;
};

export function createDirectoryClient({ baseUrl, token, fetch }: DirectoryClientOptions): DirectoryClient {
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  if (token !== undefined) {
    client.use({
      async onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${typeof token === 'function' ? await token() : token}`);
        return request;
      },
    });
  }
  return client;
}
