import type { ScimUserResource } from './resource';

/**
 * What a SCIM provider's answers mean to the directory (RFC 7644 section 3.12 and what real
 * providers do): pure, so the classification is a table-driven unit test.
 */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Why an operation did not succeed; `reason` never carries the bearer token. */
export type ScimFailure =
  /** The account is not there (deleted by hand in the connected system): provision it again. */
  | { outcome: 'gone'; status: number; reason: string }
  /** Throttled, unavailable, timed out or unreachable: try again after `retryAfterMs`. */
  | { outcome: 'retryLater'; status: number | null; retryAfterMs: number; reason: string }
  /** The token is refused (401) or lacks the right (403): retrying will not help until it is fixed. */
  | { outcome: 'unauthorized'; status: number; reason: string }
  /** Anything else: the provider refused the request (with its `scimType` when it said one). */
  | { outcome: 'failed'; status: number | null; scimType: string | null; reason: string };

export type ScimOutcome<T> = { outcome: 'ok'; value: T } | ScimFailure;

export const ok = <T>(value: T): ScimOutcome<T> => ({ outcome: 'ok', value });

/** When a provider throttles or fails without saying when to come back. */
export const DEFAULT_RETRY_MS = 60_000;
/** A provider asking for longer is asked again after this: no connector is parked for days. */
export const MAX_RETRY_MS = 3_600_000;
const MAX_DETAIL = 300;

/*
 * The provider's answers are read with small guards rather than the schema library: these four
 * shapes are all the connectors worker reads, and the union/pipe/transform machinery they would
 * need cost that bundle about 5 KiB (docs/benchmarks.md, "Bundle budget"). Every guard keeps
 * unknown attributes (providers add their own) and refuses a known one of the wrong type.
 */
const INVALID = Symbol('invalid');
type Invalid = typeof INVALID;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';

/** Booleans as providers send them: some send `"True"` / `"false"` strings. */
function booleanish(value: unknown): boolean | null | undefined | Invalid {
  if (value === undefined || value === null || typeof value === 'boolean') return value;
  return typeof value === 'string' ? value.toLowerCase() === 'true' : INVALID;
}

/** `{supported}` of a ServiceProviderConfig feature, read as a boolean (absent: false). */
function supportedOf(value: unknown): boolean | Invalid {
  if (value === undefined || value === null) return false;
  if (!isRecord(value)) return INVALID;
  const supported = booleanish(value.supported);
  return supported === INVALID ? INVALID : supported === true;
}

function emailsOf(value: unknown): ScimUserResource['emails'] | Invalid {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value)) return INVALID;
  const emails: NonNullable<ScimUserResource['emails']> = [];
  for (const email of value) {
    if (!isRecord(email) || typeof email.value !== 'string' || !optionalText(email.type)) return INVALID;
    const primary = booleanish(email.primary);
    if (primary === INVALID) return INVALID;
    emails.push({ ...email, value: email.value, ...(primary === undefined ? {} : { primary }) } as NonNullable<ScimUserResource['emails']>[number]);
  }
  return emails;
}

/** A SCIM User resource (RFC 7643 section 4.1) as far as the directory reads it. */
function scimUser(body: unknown): ScimUserResource | undefined {
  if (!isRecord(body) || typeof body.id !== 'string' || body.id === '') return undefined;
  if (body.schemas !== undefined && !(Array.isArray(body.schemas) && body.schemas.every((s) => typeof s === 'string'))) return undefined;
  if (![body.userName, body.externalId, body.displayName].every(optionalText)) return undefined;
  const name = body.name;
  if (!(name === undefined || name === null || (isRecord(name) && optionalText(name.givenName) && optionalText(name.familyName)))) return undefined;
  const active = booleanish(body.active);
  const emails = emailsOf(body.emails);
  if (active === INVALID || emails === INVALID) return undefined;
  return { ...body, ...(active === undefined ? {} : { active }), ...(emails === undefined ? {} : { emails }) } as ScimUserResource;
}

/** A ListResponse (RFC 7644 section 3.4.2): its resources, still to be read one by one. */
export function listResourcesOf(body: unknown): unknown[] | undefined {
  if (!isRecord(body) || !(body.totalResults === undefined || typeof body.totalResults === 'number')) return undefined;
  const resources = body.Resources;
  if (resources === undefined || resources === null) return [];
  return Array.isArray(resources) ? resources : undefined;
}

/** What a provider says it supports (RFC 7643 section 5). */
export type ScimCapabilities = { patch: boolean; filter: boolean; maxResults: number | null; etag: boolean; bulk: boolean };

/** What the directory assumes of a provider without a readable ServiceProviderConfig: PUT, which RFC 7644 requires. */
export const MINIMAL_CAPABILITIES: ScimCapabilities = { patch: false, filter: true, maxResults: null, etag: false, bulk: false };

export function capabilitiesOf(body: unknown): ScimCapabilities | undefined {
  if (!isRecord(body)) return undefined;
  const [patch, filter, bulk, etag, sort] = [body.patch, body.filter, body.bulk, body.etag, body.sort].map(supportedOf);
  if ([patch, filter, bulk, etag, sort].includes(INVALID)) return undefined;
  const maxResults = isRecord(body.filter) ? body.filter.maxResults : undefined;
  if (!(maxResults === undefined || maxResults === null || typeof maxResults === 'number')) return undefined;
  return { patch: patch === true, filter: filter === true, maxResults: maxResults ?? null, etag: etag === true, bulk: bulk === true };
}

export function userOf(body: unknown): ScimUserResource | undefined {
  return scimUser(body);
}

/**
 * `Retry-After` (RFC 9110 section 10.2.3) in milliseconds from `now`: delta-seconds or an
 * HTTP-date; undefined when absent or unreadable; never negative, at most MAX_RETRY_MS.
 */
export function retryAfterMs(header: string | null | undefined, now: Date): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else if (/[a-z]/i.test(value) && !Number.isNaN(Date.parse(value))) ms = Date.parse(value) - now.getTime();
  else return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_MS);
}

/** The `detail` and `scimType` of a SCIM error body (RFC 7644 section 3.12), when it is one. */
export function scimErrorOf(body: unknown): { detail: string | null; scimType: string | null } {
  if (!isRecord(body) || !optionalText(body.detail) || !optionalText(body.scimType)) return { detail: null, scimType: null };
  return { detail: (body.detail as string | null | undefined)?.trim() || null, scimType: (body.scimType as string | null | undefined)?.trim() || null };
}

export type Answer = { status: number; retryAfter: string | null; body: unknown };

/**
 * A provider's non-2xx answer as a failure. `what` names the request (`PATCH /Users/{id}`), the
 * reason adds the status, the SCIM `scimType` and `detail`; `secret` (the token) is cut out of
 * anything the provider echoed back.
 */
export function failureOf(what: string, answer: Answer, now: Date, secret: string): ScimFailure {
  const { status } = answer;
  const { detail, scimType } = scimErrorOf(answer.body);
  const reason = describe(what, status, scimType, detail, secret);
  if (status === 401 || status === 403) return { outcome: 'unauthorized', status, reason };
  if (status === 404) return { outcome: 'gone', status, reason };
  if (status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505)) {
    return { outcome: 'retryLater', status, retryAfterMs: retryAfterMs(answer.retryAfter, now) ?? DEFAULT_RETRY_MS, reason };
  }
  return { outcome: 'failed', status, scimType, reason };
}

export function describe(what: string, status: number, scimType: string | null, detail: string | null, secret: string): string {
  const said = [scimType, detail && clip(redact(detail, secret))].filter(Boolean).join(': ');
  return `${what}: HTTP ${status}${said ? ` (${said})` : ''}`;
}

export function redact(value: string, secret: string): string {
  return secret ? value.split(secret).join('[redacted]') : value;
}

function clip(value: string): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}...` : flat;
}
