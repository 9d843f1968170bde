import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DomainError, Forbidden, InvalidRequest, MethodNotAllowed, NotFound, PayloadTooLarge, Unauthorized } from '../domain/errors';
import type { HttpEvent } from '../http/handler';
import { baseHeaders, internalErrorResponse, problemResponse, type HttpResponse } from '../http/problem';
import { routes, servedMethods, type Route } from '../http/routes';
import type { OutboxMailer } from '../mail/outbox-mailer';
import { handlers } from './handlers';
import { consoleResponse, isConsolePath, LOOPBACK_HOST, type ConsoleSite, type StaticResponse } from './console-site';
import type { LocalJwt } from './local-auth';
import type { LocalSignIn } from './local-sign-in';
import { inLogContext } from './log-context';

/** API Gateway rejects bodies over 10 MB before Lambda sees them; so do we. */
const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

export type LocalServerOptions = {
  jwt: LocalJwt;
  outbox?: OutboxMailer | undefined;
  /** Resolves once queued work has run: mail is sent by the in-process mail worker, after the request. */
  settle?: (() => Promise<void>) | undefined;
  /** Receives one line per request (see `requestLine`); nothing is logged without it. */
  log?: ((line: string) => void) | undefined;
  /** The admin console under /console/ (lib/local/console-site.ts); not served without it. */
  console?: ConsoleSite | undefined;
  /** The console's local sign-in (lib/local/local-sign-in.ts): GET /_local/admins and POST /_local/sign-in. */
  signIn?: LocalSignIn | undefined;
};

/** Routes served only by the local server (never deployed). */
export const localOnlyRoutes = [
  { method: 'GET', path: '/_local/outbox' },
  { method: 'GET', path: '/_local/admins' },
  { method: 'POST', path: '/_local/sign-in' },
] as const;

/** A local sign-in body is small: `{"userId": "<ULID>"}`. */
const SIGN_IN_BODY_LIMIT = 1024;

type Match = { route: Route; pathParameters: Record<string, string> };

function compile(route: Route) {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${pattern}$`), names };
}

const compiled = routes.map(compile);

/** Matches like API Gateway: literal segments first, then parameters, decoded path parameters. */
export function matchRoute(method: string, path: string): Match | { allowed: string[] } | undefined {
  const allowed = new Set<string>();
  const candidates = compiled
    .map((c) => ({ c, m: c.regex.exec(path) }))
    .filter((x): x is { c: (typeof compiled)[number]; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => a.c.names.length - b.c.names.length);
  for (const { c, m } of candidates) {
    const methods: string[] = servedMethods(c.route);
    for (const served of methods) allowed.add(served);
    if (!methods.includes(method)) continue;
    const pathParameters: Record<string, string> = {};
    c.names.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(m[i + 1]!);
    });
    return { route: c.route, pathParameters };
  }
  return allowed.size > 0 ? { allowed: [...allowed].sort() } : undefined;
}

/**
 * Serves the HTTP contract on loopback through the same Lambda handlers AWS runs: each request
 * becomes an API Gateway HTTP API (payload 2.0) event, with this server acting as the JWT
 * authorizer for admin routes. Each request runs in a log context of its own (lib/local/log-context.ts)
 * and, with `log`, is logged in one line once answered.
 */
export function createLocalServer(options: LocalServerOptions): Server {
  return createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const seen: Seen = { route: undefined };
    const pathname = (req.url ?? '/').split('?')[0]!;
    const site = options.console && isConsolePath(pathname) ? options.console : undefined;
    if (site) seen.route = '/console/*';
    const answer: Promise<HttpResponse | StaticResponse> = site
      ? consoleResponse(req, pathname, site)
      : inLogContext({ requestId }, () => handle(req, options, requestId, seen));
    answer
      .catch(() => internalErrorResponse(req.url))
      .then((response) => {
        send(res, response);
        options.log?.(requestLine({ method: req.method ?? 'GET', route: seen.route, status: response.statusCode, ms: performance.now() - started, requestId }));
      });
  });
}

/**
 * `2026-01-31T09:00:00.000Z POST /users/{userId}/dismiss 200 12ms request=<id>`: the route's
 * template, never the path, query or headers (they may hold addresses and tokens).
 */
export function requestLine(request: { method: string; route: string | undefined; status: number; ms: number; requestId: string }, at = new Date()): string {
  return `${at.toISOString()} ${request.method.toUpperCase()} ${request.route ?? '(no route)'} ${request.status} ${Math.round(request.ms)}ms request=${request.requestId}`;
}

/** What a request turned out to be, for its log line. */
type Seen = { route: string | undefined };

async function handle(req: IncomingMessage, { jwt, outbox, settle, signIn }: LocalServerOptions, requestId: string, seen: Seen): Promise<HttpResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  let url = new URL('http://localhost/');
  try {
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new InvalidRequest([{ path: 'path', message: 'the request target is not a valid URL path' }]);
    }
    if (url.pathname === '/_local/outbox' && (method === 'GET' || method === 'HEAD') && outbox && isLoopbackRequest(req)) {
      seen.route = '/_local/outbox';
      // Answer with the mail of every request made so far, as a reader of the outbox expects.
      await settle?.();
      return {
        statusCode: 200,
        headers: { ...baseHeaders, 'content-type': 'application/json' },
        body: JSON.stringify(outbox.entries.map(({ to, kind, token, sentAt }) => ({ to, kind, token, sentAt }))),
      };
    }
    if (signIn && isLoopbackRequest(req)) {
      if (url.pathname === '/_local/admins' && (method === 'GET' || method === 'HEAD')) {
        seen.route = '/_local/admins';
        return json(200, { items: await signIn.admins() });
      }
      if (url.pathname === '/_local/sign-in' && method === 'POST') {
        seen.route = '/_local/sign-in';
        return json(200, await signIn.signIn(await signInUserId(req)));
      }
    }
    let rawPath: string;
    try {
      decodeURIComponent(url.pathname);
      rawPath = url.pathname;
    } catch {
      throw new InvalidRequest([{ path: 'path', message: 'path is not valid percent-encoding' }]);
    }
    const match = matchRoute(method, rawPath);
    if (match === undefined) throw new NotFound('route', `${method} ${rawPath}`);
    if ('allowed' in match) throw new MethodNotAllowed(method, rawPath, match.allowed);
    seen.route = match.route.path;
    // Like API Gateway's authorizer: no body is read for a request that is not authorized.
    const claims = match.route.auth === 'admin' ? await authorize(req, jwt) : undefined;
    const body = await readBody(req);
    const event = toEvent(req, url, method, match, body, claims, requestId);
    return await handlers[match.route.handler as keyof typeof handlers](event, lambdaContext(match.route, requestId));
  } catch (error) {
    if (error instanceof MethodNotAllowed) {
      const response = problemResponse(error, url.pathname);
      return { ...response, headers: { ...response.headers, allow: error.allowed.join(', ') } };
    }
    if (error instanceof DomainError) return problemResponse(error, url.pathname);
    return internalErrorResponse(url.pathname);
  }
}

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { ...baseHeaders, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The user id a local sign-in names. Only a JSON body is taken: a page on another site can send
 * a form or text/plain cross-origin without asking, but JSON needs a CORS preflight, which this
 * server never grants. A browser's Origin, when sent, must be a loopback one too.
 */
async function signInUserId(req: IncomingMessage): Promise<string> {
  const origin = req.headers.origin;
  const loopbackOrigin = origin?.startsWith('http://') && LOOPBACK_HOST.test(origin.slice('http://'.length));
  if (origin !== undefined && !loopbackOrigin) throw new Forbidden('Local sign-in is only for the console served by this server');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new InvalidRequest([{ path: 'headers.content-type', message: 'must be application/json' }]);
  const body = await readBody(req, SIGN_IN_BODY_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new InvalidRequest([{ path: 'body', message: 'must be a JSON object' }]);
  }
  const userId = (parsed as { userId?: unknown } | null)?.userId;
  if (typeof userId !== 'string' || userId === '') throw new InvalidRequest([{ path: 'body.userId', message: 'must be a user id' }]);
  return userId;
}

/**
 * The outbox holds live tokens and local sign-in issues them, so they answer only loopback
 * clients that addressed a loopback host name (a page on another site that rebinds its DNS to
 * 127.0.0.1 still sends its own Host).
 */
function isLoopbackRequest(req: IncomingMessage): boolean {
  const remote = req.socket.remoteAddress ?? '';
  const loopbackClient = remote.startsWith('127.') || remote === '::1' || remote.startsWith('::ffff:127.');
  return loopbackClient && LOOPBACK_HOST.test(req.headers.host ?? '');
}

async function authorize(req: IncomingMessage, jwt: LocalJwt) {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new Unauthorized();
  const claims = await jwt.verify(match[1]!);
  if (!claims) throw new Unauthorized('The bearer token is invalid or expired');
  return claims;
}

async function readBody(req: IncomingMessage, limit = GATEWAY_BODY_LIMIT): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  match: Match,
  body: string | undefined,
  claims: Record<string, string | number | boolean | string[]> | undefined,
  requestId: string,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const routeKey = `${match.route.method} ${match.route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: decodeURIComponent(url.pathname),
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims } } } : {}),
    },
  } as HttpEvent;
}

function lambdaContext(route: Route, requestId: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.handler}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${route.handler}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/local/${route.handler}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 29_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(res: ServerResponse, response: HttpResponse | StaticResponse): void {
  // A file states its length (HEAD too: Node leaves the body out of a HEAD answer itself).
  const length = typeof response.body === 'string' ? {} : { 'content-length': String(response.body.length) };
  res.writeHead(response.statusCode, { ...response.headers, ...length });
  res.end(response.body);
}

export { listen } from './server-port';
