import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { z } from '../zod';
import { DomainError, InvalidRequest, PayloadTooLarge, type FieldError } from '../domain/errors';
import { logger } from '../logger';
import { baseHeaders, internalErrorResponse, problemResponse, type HttpResponse } from './problem';
import type { RequestContract } from './requests';

/*
 * The HTTP request pipeline, free of the outside world: ./handler adds the dependencies (and with
 * them the AWS SDK) for the routes that use them.
 */

/** API Gateway HTTP API (payload 2.0) event; the authorizer may be absent on public routes. */
export type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
};
/** A route's Lambda handler; `routeId` names the contract it serves (the manifest is checked against it). */
export type HttpHandler = ((event: HttpEvent, context: Context) => Promise<HttpResponse>) & { readonly routeId?: string };

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
 * A handler for a public route that needs nothing from the outside world (the OpenAPI document):
 * it never builds the dependencies, so its bundle leaves out the AWS SDK altogether.
 */
export function staticHandler<C extends RequestContract & { auth: 'public' }>(contract: C, impl: () => Promise<unknown>): HttpHandler {
  return build(
    contract,
    () => ({}),
    impl,
    () => undefined,
  );
}

/** The request pipeline every HTTP function shares: logging context, parsing, errors as problem+json. */
export function build<C extends RequestContract, Extra, D>(
  contract: C,
  identify: (event: HttpEvent) => Extra,
  impl: (request: ParsedRequest<C> & Extra, deps: D, context: Context) => Promise<unknown>,
  deps: () => D,
): HttpHandler {
  const core = async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
    const extra = identify(event);
    const request = parseRequest(contract, event) as ParsedRequest<C>;
    const result = await impl({ ...request, ...extra }, deps(), context).catch((error: unknown) => {
      throw error instanceof InvalidRequest ? located(error, event) : error;
    });
    // 204 No Content: no body, so no content type either.
    if (contract.status === 204) return { statusCode: 204, headers: { ...baseHeaders }, body: '' };
    return forMethod(event, {
      statusCode: contract.status,
      headers: { ...baseHeaders, 'content-type': 'application/json' },
      body: JSON.stringify(result ?? {}),
    });
  };
  const handler = middy<HttpEvent, HttpResponse>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlation(contract.id))
    .use(problemDetails())
    .handler(core);
  return Object.assign(handler, { routeId: contract.id }) as unknown as HttpHandler;
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
        request.response = forMethod(event, problemResponse(error, instance));
        return;
      }
      logger.error('unhandled error', { errorName: error?.name, errorMessage: error?.message, stack: error?.stack });
      request.response = internalErrorResponse(instance);
    },
  };
}

/** A HEAD request gets the GET answer's status and headers, without its body. */
function forMethod(event: HttpEvent | undefined, response: HttpResponse): HttpResponse {
  if (event?.requestContext?.http?.method !== 'HEAD') return response;
  return { ...response, body: '' };
}

const PLACED = new Set(['path', 'query', 'body', 'headers']);

/**
 * Use cases and decisions name a command's fields (`effectiveAt`); the client needs to know where
 * it sent them: a path parameter of this route, a query parameter it sent, else the body. A path its thrower already placed
 * (a webhook adapter names `headers.webhook-id`) is kept.
 */
function located(error: InvalidRequest, event: HttpEvent): InvalidRequest {
  const pathParameters = new Set(Object.keys(event.pathParameters ?? {}));
  const queryParameters = new Set(Object.keys(event.queryStringParameters ?? {}));
  const where = (field: string) => (pathParameters.has(field) ? 'path' : queryParameters.has(field) ? 'query' : 'body');
  return new InvalidRequest(
    error.errors.map((e) => {
      const field = e.path.split('.')[0] ?? '';
      if (PLACED.has(field)) return e;
      return { ...e, path: e.path ? `${where(field)}.${e.path}` : 'body' };
    }),
  );
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
