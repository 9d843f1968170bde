import type { Context } from 'aws-lambda';
import { userIdSchema } from '../domain/commands';
import { Forbidden, Unauthorized } from '../domain/errors';
import { runtime, type Deps } from '../runtime';
import { build, type HttpEvent, type HttpHandler, type ParsedRequest } from './pipeline';
import type { RequestContract } from './requests';

export { MAX_BODY_BYTES, parseRequest, type HttpEvent, type HttpHandler, type ParsedRequest } from './pipeline';

/**
 * A handler for an admin route (the contract's `auth` must say so: checked by the compiler): the
 * use case receives the verified token subject as actor. `deps` is for the few functions that
 * build a part only they need (e.g. `() => runtime({ secretBoxFor })`).
 */
export function adminHandler<C extends RequestContract & { auth: 'admin' }>(
  contract: C,
  impl: (request: ParsedRequest<C> & { actorId: string }, deps: Deps, context: Context) => Promise<unknown>,
  deps: () => Deps = runtime,
): HttpHandler {
  return build(contract, (event) => ({ actorId: subjectOf(event, deps().settings.subjectClaim ?? 'sub') }), impl, deps);
}

/** A handler for a public route: no bearer; any credential travels in the body. */
export function publicHandler<C extends RequestContract & { auth: 'public' }>(
  contract: C,
  impl: (request: ParsedRequest<C>, deps: Deps) => Promise<unknown>,
  deps: () => Deps = runtime,
): HttpHandler {
  return build(contract, () => ({}), impl, deps);
}

/**
 * The caller's directory user id: `sub`, or the custom claim AUTH_SUBJECT_CLAIM names. It becomes
 * a DynamoDB key, so a subject that cannot be a user id (ids are ULIDs) is refused here, as any
 * token of someone who is no directory admin is (403), and never read: a trusted identity
 * provider may still issue subjects longer than a key can hold.
 */
function subjectOf(event: HttpEvent, claim: string): string {
  const value = event.requestContext.authorizer?.jwt?.claims?.[claim];
  if (typeof value !== 'string' || value.length === 0) throw new Unauthorized();
  if (!userIdSchema.safeParse(value).success) throw new Forbidden();
  return value;
}
