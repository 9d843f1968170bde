import {
  type DirectoryUser,
  desiredFields,
  newUserResource,
  patchOperations,
  patchRequest,
  remoteFields,
  replacementResource,
  type ScimUserFields,
  type ScimUserResource,
  userNameFilter,
} from './resource';
import {
  capabilitiesOf,
  DEFAULT_RETRY_MS,
  failureOf,
  listResourcesOf,
  MINIMAL_CAPABILITIES,
  ok,
  redact,
  type ScimCapabilities,
  type ScimFailure,
  type ScimOutcome,
  userOf,
} from './responses';

/**
 * A SCIM 2.0 client (RFC 7644) for one connected system: a base URL and the bearer token it
 * issued. Every operation answers a typed outcome (`ok`, `gone`, `retryLater`, `unauthorized`,
 * `failed`, lib/connectors/scim/responses.ts) and never throws for what the network or the
 * provider does; the token is sent only in the Authorization header and appears in no outcome.
 */
export type ScimClientOptions = {
  /** Where `/Users` and `/ServiceProviderConfig` live, e.g. `https://api.example.com/scim/v2`. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per request, reading the body included. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Skips discovery (a connector that already read its provider's ServiceProviderConfig). */
  capabilities?: ScimCapabilities;
  /** Told what a successful discovery read, so the caller can remember it for later clients. */
  onDiscovered?: (capabilities: ScimCapabilities) => void;
  /** Runs the discovery: a caller can share one in flight between its clients. */
  discoverWith?: (discover: () => Promise<ScimOutcome<ScimCapabilities>>) => Promise<ScimOutcome<ScimCapabilities>>;
  now?: () => Date;
};

export const SCIM_TIMEOUT_MS = 15_000;
export const SCIM_MAX_RESPONSE_BYTES = 1024 * 1024;
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** A remote account as the directory tracks it. */
export type ScimAccount = { remoteId: string; userName: string; externalId: string | null; active: boolean | null; resource: ScimUserResource };
export type ProvisionResult = { account: ScimAccount; adopted: boolean };
export type ChangeResult = { remoteId: string; changed: boolean };
export type DeprovisionResult = { remoteId: string; result: 'deleted' | 'deactivated' | 'absent' };

export type ScimClient = {
  discover(): Promise<ScimOutcome<ScimCapabilities>>;
  provision(user: DirectoryUser): Promise<ScimOutcome<ProvisionResult>>;
  update(remoteId: string, user: DirectoryUser): Promise<ScimOutcome<ChangeResult>>;
  deactivate(remoteId: string): Promise<ScimOutcome<ChangeResult>>;
  reactivate(remoteId: string): Promise<ScimOutcome<ChangeResult>>;
  deprovision(remoteId: string): Promise<ScimOutcome<DeprovisionResult>>;
  find(remoteId: string): Promise<ScimOutcome<ScimAccount>>;
  findByUserName(userName: string): Promise<ScimOutcome<ScimAccount | null>>;
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Reply = { status: number; retryAfter: string | null; body: unknown };

/** DELETE answered with one of these: the provider keeps accounts, so deprovisioning deactivates. */
const DELETE_REFUSED = new Set([403, 405, 501]);

export function createScimClient(options: ScimClientOptions): ScimClient {
  const base = baseUrlOf(options.baseUrl);
  const { token } = options;
  if (!/^[\x21-\x7e]+$/.test(token)) throw new TypeError('The SCIM bearer token must be non-empty visible ASCII');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? SCIM_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? SCIM_MAX_RESPONSE_BYTES;
  const now = options.now ?? (() => new Date());
  let known: ScimCapabilities | undefined = options.capabilities;

  /** One request (`what` names it in reasons: method and path template): the reply, or the failure of getting one (unreachable, timed out, unreadable). */
  async function send(what: string, path: string, body?: unknown): Promise<Reply | ScimFailure> {
    const method = what.slice(0, what.indexOf(' ')) as Method;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: `${SCIM_CONTENT_TYPE}, application/json;q=0.9` };
    if (body !== undefined) headers['content-type'] = SCIM_CONTENT_TYPE;
    try {
      const response = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect would carry the request (and a token-bearing retry) somewhere unconfigured.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const raw = await readCapped(response, maxBytes);
      if (raw === undefined) {
        return { outcome: 'failed', status: response.status, scimType: null, reason: `${what}: the response is larger than ${maxBytes} bytes` };
      }
      const retryAfter = response.headers.get('retry-after');
      if (response.status >= 300 && response.status < 400) {
        return { outcome: 'failed', status: response.status, scimType: null, reason: `${what}: HTTP ${response.status} redirect, not followed` };
      }
      let parsed: unknown;
      if (raw.trim() !== '') {
        try {
          parsed = JSON.parse(raw);
        } catch {
          if (response.ok)
            return { outcome: 'failed', status: response.status, scimType: null, reason: `${what}: HTTP ${response.status} with a body that is not JSON` };
        }
      }
      return { status: response.status, retryAfter, body: parsed };
    } catch (error) {
      return unreachable(what, error);
    }
  }

  function unreachable(what: string, error: unknown): ScimFailure {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { outcome: 'retryLater', status: null, retryAfterMs: DEFAULT_RETRY_MS, reason: `${what}: no answer within ${timeoutMs / 1000} s` };
    }
    // Only the error's code: a message could quote the request, headers included.
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : name || 'network error';
    return { outcome: 'retryLater', status: null, retryAfterMs: DEFAULT_RETRY_MS, reason: redact(`${what}: could not reach the provider (${code})`, token) };
  }

  const isReply = (value: Reply | ScimFailure): value is Reply => !('outcome' in value);
  const fail = (what: string, reply: Reply) => failureOf(what, reply, now(), token);
  const is2xx = (reply: Reply) => reply.status >= 200 && reply.status < 300;
  const userPath = (remoteId: string) => `/Users/${encodeURIComponent(remoteId)}`;
  const malformed = (what: string, status: number): ScimFailure => ({
    outcome: 'failed',
    status,
    scimType: null,
    reason: `${what}: HTTP ${status} without a SCIM User resource`,
  });

  async function discover(): Promise<ScimOutcome<ScimCapabilities>> {
    const what = 'GET /ServiceProviderConfig';
    const reply = await send(what, '/ServiceProviderConfig');
    if (!isReply(reply)) return reply;
    if (!is2xx(reply)) return fail(what, reply);
    const capabilities = capabilitiesOf(reply.body);
    if (!capabilities) return { outcome: 'failed', status: reply.status, scimType: null, reason: `${what}: not a ServiceProviderConfig` };
    known = capabilities;
    options.onDiscovered?.(capabilities);
    return ok(capabilities);
  }

  /** Known capabilities, discovered once; a provider without a readable ServiceProviderConfig gets PUT. */
  async function capabilities(): Promise<ScimOutcome<ScimCapabilities>> {
    if (known) return ok(known);
    const found = await (options.discoverWith ? options.discoverWith(discover) : discover());
    if (found.outcome === 'ok') known = found.value;
    if (found.outcome !== 'failed' && found.outcome !== 'gone') return found;
    known = MINIMAL_CAPABILITIES;
    return ok(known);
  }

  async function find(remoteId: string): Promise<ScimOutcome<ScimAccount>> {
    const what = 'GET /Users/{id}';
    const reply = await send(what, userPath(remoteId));
    if (!isReply(reply)) return reply;
    if (!is2xx(reply)) return fail(what, reply);
    const resource = userOf(reply.body);
    return resource ? ok(accountOf(resource)) : malformed(what, reply.status);
  }

  async function findByUserName(userName: string): Promise<ScimOutcome<ScimAccount | null>> {
    const what = 'GET /Users?filter=userName eq';
    const reply = await send(what, `/Users?filter=${encodeURIComponent(userNameFilter(userName))}`);
    if (!isReply(reply)) return reply;
    if (!is2xx(reply)) return fail(what, reply);
    const resources = listResourcesOf(reply.body);
    if (!resources) return { outcome: 'failed', status: reply.status, scimType: null, reason: `${what}: not a ListResponse` };
    // A provider that ignores the filter lists everyone: only an exact (case-insensitive) match counts.
    const wanted = userName.toLowerCase();
    const matches = resources
      .map(userOf)
      .filter((resource): resource is ScimUserResource => resource !== undefined && (resource.userName ?? '').toLowerCase() === wanted);
    if (matches.length > 1) {
      return { outcome: 'failed', status: reply.status, scimType: 'uniqueness', reason: `${what}: ${matches.length} accounts hold that userName` };
    }
    return ok(matches[0] ? accountOf(matches[0]) : null);
  }

  /** Takes an account, as read, to `fields`: PATCH of what differs where supported, else PUT. */
  async function reconcile(current: ScimUserResource, fields: ScimUserFields): Promise<ScimOutcome<ChangeResult>> {
    const remoteId = current.id;
    const operations = patchOperations(remoteFields(current), fields);
    if (operations.length === 0) return ok({ remoteId, changed: false });
    const caps = await capabilities();
    if (caps.outcome !== 'ok') return caps;
    if (caps.value.patch) {
      const reply = await send('PATCH /Users/{id}', userPath(remoteId), patchRequest(operations));
      if (!isReply(reply)) return reply;
      if (is2xx(reply)) return ok({ remoteId, changed: true });
      if (!patchRefused(reply)) return fail('PATCH /Users/{id}', reply);
    }
    const reply = await send('PUT /Users/{id}', userPath(remoteId), replacementResource(current, fields));
    if (!isReply(reply)) return reply;
    if (!is2xx(reply)) return fail('PUT /Users/{id}', reply);
    return ok({ remoteId, changed: true });
  }

  /**
   * A provider that answers PATCH with 405 or 501 no longer supports it, whatever its
   * ServiceProviderConfig said when it was read: PUT from now on, and the caller is told (it
   * remembers capabilities across clients).
   */
  function patchRefused(reply: Reply): boolean {
    if (reply.status !== 405 && reply.status !== 501) return false;
    known = { ...(known ?? MINIMAL_CAPABILITIES), patch: false };
    options.onDiscovered?.(known);
    return true;
  }

  async function provision(user: DirectoryUser): Promise<ScimOutcome<ProvisionResult>> {
    const what = 'POST /Users';
    const fields = desiredFields(user);
    const reply = await send(what, '/Users', newUserResource(fields));
    if (!isReply(reply)) return reply;
    if (is2xx(reply)) {
      const resource = userOf(reply.body);
      return resource ? ok({ account: accountOf(resource), adopted: false }) : malformed(what, reply.status);
    }
    if (reply.status !== 409) return fail(what, reply);
    // The login already has an account there (an earlier attempt whose answer was lost, or one made
    // by hand): adopt it rather than create a twin, unless it is recorded as another user's.
    const conflict = fail(what, reply);
    const existing = await findByUserName(fields.userName);
    if (existing.outcome !== 'ok') return existing;
    if (!existing.value) return conflict;
    const account = existing.value;
    if (account.externalId && account.externalId !== fields.externalId) {
      return {
        outcome: 'failed',
        status: 409,
        scimType: 'uniqueness',
        reason: `${what}: HTTP 409; the account holding that userName (${account.remoteId}) belongs to directory user ${account.externalId}`,
      };
    }
    const updated = await reconcile(account.resource, fields);
    if (updated.outcome !== 'ok') return updated;
    return ok({ account, adopted: true });
  }

  async function update(remoteId: string, user: DirectoryUser): Promise<ScimOutcome<ChangeResult>> {
    const current = await find(remoteId);
    if (current.outcome !== 'ok') return current;
    return reconcile(current.value.resource, desiredFields(user));
  }

  async function setActive(remoteId: string, active: boolean): Promise<ScimOutcome<ChangeResult>> {
    const caps = await capabilities();
    if (caps.outcome !== 'ok') return caps;
    if (caps.value.patch) {
      // One request: no read first, the operation is the same whatever the account holds.
      const reply = await send('PATCH /Users/{id}', userPath(remoteId), patchRequest([{ op: 'replace', path: 'active', value: active }]));
      if (!isReply(reply)) return reply;
      if (is2xx(reply)) return ok({ remoteId, changed: true });
      if (!patchRefused(reply)) return fail('PATCH /Users/{id}', reply);
    }
    const current = await find(remoteId);
    if (current.outcome !== 'ok') return current;
    return reconcile(current.value.resource, { ...remoteFields(current.value.resource), active });
  }

  async function deprovision(remoteId: string): Promise<ScimOutcome<DeprovisionResult>> {
    const reply = await send('DELETE /Users/{id}', userPath(remoteId));
    if (!isReply(reply)) return reply;
    if (is2xx(reply)) return ok({ remoteId, result: 'deleted' });
    if (reply.status === 404) return ok({ remoteId, result: 'absent' });
    if (!DELETE_REFUSED.has(reply.status)) return fail('DELETE /Users/{id}', reply);
    const deactivated = await setActive(remoteId, false);
    if (deactivated.outcome === 'gone') return ok({ remoteId, result: 'absent' });
    if (deactivated.outcome !== 'ok') return deactivated;
    return ok({ remoteId, result: 'deactivated' });
  }

  return {
    discover,
    provision,
    update,
    deactivate: (remoteId) => setActive(remoteId, false),
    reactivate: (remoteId) => setActive(remoteId, true),
    deprovision,
    find,
    findByUserName,
  };
}

function accountOf(resource: ScimUserResource): ScimAccount {
  return {
    remoteId: resource.id,
    userName: resource.userName ?? '',
    externalId: resource.externalId ?? null,
    active: resource.active ?? null,
    resource,
  };
}

/**
 * The base URL without a trailing slash: https, or http on a loopback address (a test server or
 * a local tunnel); never credentials in the URL, nor a query or fragment.
 */
export function baseUrlOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('The SCIM base URL is not a URL');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new TypeError('The SCIM base URL must be https');
  if (url.username || url.password) throw new TypeError('The SCIM base URL must not carry credentials');
  if (url.search || url.hash) throw new TypeError('The SCIM base URL must not have a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The body as text, or undefined past `max` bytes (announced or counted while reading). */
async function readCapped(response: Response, max: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
