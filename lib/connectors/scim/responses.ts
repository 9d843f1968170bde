import * as z from '../../zod';
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

/** Booleans as providers send them: some send `"True"` / `"false"` strings. */
const booleanish = z.pipe(
  z.union([z.boolean(), z.string()]),
  z.transform((value) => (typeof value === 'boolean' ? value : value.toLowerCase() === 'true')),
);
const text = z.optional(z.nullable(z.string()));

export const scimUserSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  schemas: z.optional(z.array(z.string())),
  userName: text,
  externalId: text,
  active: z.optional(z.nullable(booleanish)),
  displayName: text,
  name: z.optional(z.nullable(z.looseObject({ givenName: text, familyName: text }))),
  emails: z.optional(z.nullable(z.array(z.looseObject({ value: z.string(), type: text, primary: z.optional(z.nullable(booleanish)) })))),
});

export const listResponseSchema = z.looseObject({
  totalResults: z.optional(z.number()),
  Resources: z.optional(z.nullable(z.array(z.unknown()))),
});

const supported = z.optional(z.nullable(z.looseObject({ supported: z.optional(z.nullable(booleanish)) })));
export const serviceProviderConfigSchema = z.looseObject({
  patch: supported,
  filter: z.optional(z.nullable(z.looseObject({ supported: z.optional(z.nullable(booleanish)), maxResults: z.optional(z.nullable(z.number())) }))),
  bulk: supported,
  etag: supported,
  sort: supported,
});

const errorSchema = z.looseObject({
  detail: z.optional(z.nullable(z.string())),
  scimType: z.optional(z.nullable(z.string())),
});

/** What a provider says it supports (RFC 7643 section 5). */
export type ScimCapabilities = { patch: boolean; filter: boolean; maxResults: number | null; etag: boolean; bulk: boolean };

/** What the directory assumes of a provider without a readable ServiceProviderConfig: PUT, which RFC 7644 requires. */
export const MINIMAL_CAPABILITIES: ScimCapabilities = { patch: false, filter: true, maxResults: null, etag: false, bulk: false };

export function capabilitiesOf(body: unknown): ScimCapabilities | undefined {
  const parsed = serviceProviderConfigSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const config = parsed.data;
  return {
    patch: config.patch?.supported === true,
    filter: config.filter?.supported === true,
    maxResults: config.filter?.maxResults ?? null,
    etag: config.etag?.supported === true,
    bulk: config.bulk?.supported === true,
  };
}

export function userOf(body: unknown): ScimUserResource | undefined {
  const parsed = scimUserSchema.safeParse(body);
  return parsed.success ? (parsed.data as ScimUserResource) : undefined;
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
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return { detail: null, scimType: null };
  return { detail: parsed.data.detail?.trim() || null, scimType: parsed.data.scimType?.trim() || null };
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
