import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * A real third-party SCIM 2.0 service provider for tests: SCIMMY's resources and schemas behind
 * scimmy-routers' Express endpoints (RFC 7644 routing, filters, PATCH, the error format), on a
 * loopback port, with an in-memory user store that enforces userName uniqueness like a real
 * system, and a bearer check. Around it, small switches for what real providers also do: no PATCH
 * support, a DELETE refused, one injected answer (429 with Retry-After, 503...).
 *
 * SCIMMY's resource declarations and ServiceProviderConfig are process-wide: the handlers find
 * their server's store through the request context, and `patchSupported` sets the config for
 * every server of the test file (test files run in their own processes).
 */
export type StoredUser = Record<string, unknown> & { id: string; userName: string };
export type Injected = { status: number; headers?: Record<string, string>; detail?: string };

export type ScimTestServer = {
  baseUrl: string;
  token: string;
  /** The accounts as the provider keeps them, by id: edit or delete to act "by hand". */
  users: Map<string, StoredUser>;
  /** Every request that reached the server: method and path below the base URL. */
  requests: { method: string; path: string }[];
  /** What /ServiceProviderConfig says about PATCH; without it, PATCH is answered 501. */
  patchSupported(supported: boolean): void;
  /** Answer DELETE with this status (405, 403, 501) instead of deleting; null deletes again. */
  refuseDelete(status: number | null): void;
  /** Answer the next request with this instead of passing it to SCIMMY. */
  injectOnce(answer: Injected): void;
  /** Forgets the answers injected and not yet given. */
  clearInjected(): void;
  close(): Promise<void>;
};

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
type Store = Map<string, StoredUser>;
let declared = false;

/** SCIMMY's own error (its types want a scimType string; a 404 has none). */
const notFound = (id: string | undefined) => new SCIMMY.Types.Error(404, undefined as unknown as string, `Resource ${id} not found`);

function declareUsers() {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance, store: Store) => {
      const data = { ...(instance as unknown as Record<string, unknown>) } as StoredUser;
      const id = resource.id ?? randomUUID();
      const previous = resource.id ? store.get(resource.id) : undefined;
      if (resource.id && !previous) throw notFound(resource.id);
      for (const other of store.values()) {
        if (other.id !== id && other.userName.toLowerCase() === String(data.userName).toLowerCase()) {
          throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${data.userName} is already taken`);
        }
      }
      const now = new Date();
      const meta = { created: (previous?.meta as { created?: Date } | undefined)?.created ?? now, lastModified: now };
      const user: StoredUser = { ...data, id, meta };
      store.set(id, user);
      return user;
    })
    .egress((resource, store: Store) => {
      if (resource.id) {
        const user = store.get(resource.id);
        if (!user) throw notFound(resource.id);
        return user;
      }
      const all = [...store.values()];
      return resource.filter ? resource.filter.match(all) : all;
    })
    .degress((resource, store: Store) => {
      if (!resource.id || !store.delete(resource.id)) throw notFound(resource.id);
    });
}

function scimError(res: Response, status: number, detail: string, headers: Record<string, string> = {}) {
  res
    .status(status)
    .set(headers)
    .type('application/scim+json')
    .send(JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(status), detail }));
}

export async function startScimServer(options: { token?: string; patch?: boolean; port?: number; log?: (line: string) => void } = {}): Promise<ScimTestServer> {
  declareUsers();
  const token = options.token ?? `scim-${randomUUID()}`;
  const users: Store = new Map();
  const requests: ScimTestServer['requests'] = [];
  let injected: Injected[] = [];
  let deleteRefusal: number | null = null;

  const routers = new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      const presented = req.header('authorization') ?? '';
      // Echoes what it was sent, as careless providers do: the client must not repeat it.
      if (presented !== `Bearer ${token}`) throw new Error(`Authorization ${presented} is not valid`);
      return 'directory';
    },
    context: () => users,
  });
  // The routers' constructor sets PATCH as supported; the option decides.
  SCIMMY.Config.set('patch', options.patch ?? true);

  const app = express();
  const base = '/scim/v2';
  app.use(base, (req: Request, res: Response, next: NextFunction) => {
    requests.push({ method: req.method, path: req.path });
    options.log?.(`${req.method} ${req.originalUrl.slice(base.length)}`);
    const answer = injected.shift();
    if (answer) return scimError(res, answer.status, answer.detail ?? `Injected ${answer.status}`, answer.headers);
    if (req.method === 'PATCH' && !SCIMMY.Config.get().patch.supported) return scimError(res, 501, 'PATCH is not supported');
    if (req.method === 'DELETE' && deleteRefusal !== null) return scimError(res, deleteRefusal, 'Accounts are kept: deactivate instead');
    next();
  });
  app.use(base, routers);

  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${base}`,
    token,
    users,
    requests,
    patchSupported: (supported) => SCIMMY.Config.set('patch', supported),
    refuseDelete: (status) => {
      deleteRefusal = status;
    },
    injectOnce: (answer) => {
      injected = [...injected, answer];
    },
    clearInjected: () => {
      injected = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
