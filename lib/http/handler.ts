import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { z } from '../zod';
import { DomainError, InvalidRequest, PayloadTooLarge, Unauthorized, type FieldError } from '../domain/errors';
import { logger } from '../logger';
import { runtime, type Deps } from '../runtime';
import { baseHeaders, internalErrorResponse, problemResponse, type HttpResponse } from './problem';
import type { RequestContract } from './requests';

/** API Gateway HTTP API (payload 2.0) event; the authorizer may be absent on public routes. */
export type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
};
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

export const MAX_BODY_BYTES = 64 * 1024;

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;
export type ParsedRequest<C extends RequestContract> = {
  params: Out<C extends { params: infer P } ? P : undefined>;
  query: Out<C extends { query: infer Q } ? Q : undefined>;
  body: Out<C extends { body: infer B } ? B : undefined>;
  /** The body exactly as sent (size-checked) and the lower-cased headers: what signatures cover. */
  raw: { body: string; headers: Record<string, string | undefined> };
};

/**
 * A handler for an admin route (the contract's `auth` must say so: checked by the compiler): the
 * use case receives the verified token subject as actor.
 */
export function adminHandler<C extends RequestContract & { auth: 'admin' }>(
  contract: C,
  impl: (request: ParsedRequest<C> & { actorId: string }, deps: Deps, context: Context) => Promise<unknown>,
): HttpHandler {
  return build(contract, (event) => ({ actorId: subjectOf(event, runtime().settings.subjectClaim ?? 'sub') }), impl);
}

/** A handler for a public route: no bearer; any credential travels in the body. */
export function publicHandler<C extends RequestContract & { auth: 'public' }>(
  contract: C,
  impl: (request: ParsedRequest<C>, deps: Deps) => Promise<unknown>,
): HttpHandler {
  return build(contract, () => ({}), impl);
}

function build<C extends RequestContract, Extra>(
  contract: C,
  identify: (event: HttpEvent) => Extra,
  impl: (request: ParsedRequest<C> & Extra, deps: Deps, context: Context) => Promise<unknown>,
): HttpHandler {
  const core = async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
    const extra = identify(event);
    const request = parseRequest(contract, event) as ParsedRequest<C>;
    const result = await impl({ ...request, ...extra }, runtime(), context);
    return {
      statusCode: contract.status,
      headers: { ...baseHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(result ?? {}),
    };
  };
  return middy<HttpEvent, HttpResponse>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlation(contract.id))
    .use(problemDetails())
    .handler(core) as unknown as HttpHandler;
}

/** The caller's directory user id: `sub`, or the custom claim AUTH_SUBJECT_CLAIM names. */
function subjectOf(event: HttpEvent, claim: string): string {
  const value = event.requestContext.authorizer?.jwt?.claims?.[claim];
  if (typeof value !== 'string' || value.length === 0) throw new Unauthorized();
  return value;
}

function correlation(routeId: string): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: async ({ event }) => {
      logger.appendKeys({ route: routeId, requestId: event.requestContext?.requestId });
    },
  };
}

/** The ONE place errors become HTTP: domain errors as problem+json, anything else a bare 500. */
function problemDetails(): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      const instance = event?.rawPath;
      if (error instanceof DomainError) {
        if (error.status >= 500) logger.warn('request refused', { code: error.code });
        request.response = problemResponse(error, instance);
        return;
      }
      logger.error('unhandled error', { errorName: error?.name, errorMessage: error?.message, stack: error?.stack });
      request.response = internalErrorResponse(instance);
    },
  };
}

/** Parses path, query and body against the route's contract; every failure is a 4xx. */
export function parseRequest(contract: RequestContract, event: HttpEvent) {
  const errors: FieldError[] = [];
  const parse = (schema: z.ZodMiniType | undefined, value: unknown, where: string) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      errors.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
    }
    return undefined;
  };
  const rawBody = readRawBody(event);
  const params = parse(contract.params, event.pathParameters ?? {}, 'path');
  const query = parse(contract.query, event.queryStringParameters ?? {}, 'query');
  const body = contract.body ? parse(contract.body, readJsonBody(rawBody), 'body') : undefined;
  if (errors.length > 0) throw new InvalidRequest(errors);
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return { params, query, body, raw: { body: rawBody, headers } };
}

function readRawBody(event: HttpEvent): string {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8')) : Buffer.alloc(0);
  if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
  return raw.toString('utf8');
}

function readJsonBody(rawBody: string): unknown {
  const text = rawBody.trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequest([{ path: 'body', message: 'body is not valid JSON' }]);
  }
}
