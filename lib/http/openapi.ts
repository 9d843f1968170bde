import * as z from '../zod';
import type { DomainError } from '../domain/errors';
import { failuresOf, INTERNAL, problemExtensions } from './failures';
import { internalErrorResponse, problemResponse } from './problem';
import * as requests from './requests';
import { responses, type ResponseDoc } from './responses';
import { routes, servedMethods } from './routes';

type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * Keeps the document as clients already know it: a nullable value is one schema with
 * `type: [T, "null"]` (zod writes an `anyOf`), a literal an `enum`, and neither integers nor
 * string-keyed records spell out the safe-integer bounds and key schema that go without saying.
 */
function tidy({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }) {
  const type = zodSchema._zod.def.type;
  if (type === 'literal' && jsonSchema.const !== undefined) {
    jsonSchema.enum = [jsonSchema.const];
    delete jsonSchema.const;
  }
  // The format says it; the regex zod checks it with is an implementation detail.
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.type === 'integer') {
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  }
  if (type === 'record' && jsonSchema.propertyNames && Object.keys(jsonSchema.propertyNames).join() === 'type') delete jsonSchema.propertyNames;
  const [inner, none, ...more] = jsonSchema.anyOf ?? [];
  // A `$ref` cannot take a `type` beside it, so a nullable component stays an `anyOf`.
  const plain = typeof inner === 'object' && typeof inner.type === 'string';
  if (type === 'nullable' && plain && typeof none === 'object' && none.type === 'null' && more.length === 0) {
    delete jsonSchema.anyOf;
    Object.assign(jsonSchema, { ...inner, ...jsonSchema, type: [inner.type, 'null'] });
  }
}

/**
 * Request and response schemas are both described as input: what a client sends or may rely on
 * receiving. Schemas with a metadata `id` become components, referenced wherever they occur.
 */
function toOpenApi(schema: z.core.$ZodType, components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _dialect, $defs = {}, ...json } = z.toJSONSchema(schema, { io: 'input', override: tidy });
  const rebase = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rebase);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        key === '$ref' && typeof item === 'string' ? item.replace('#/$defs/', '#/components/schemas/') : rebase(item),
      ]),
    );
  };
  for (const [id, definition] of Object.entries($defs)) components[id] = rebase(definition) as JsonSchema;
  return rebase(json) as JsonSchema;
}

/** Path or query parameters, one per key of the contract's object schema. */
function parameters(schema: z.ZodMiniType | undefined, where: 'path' | 'query', components: Record<string, JsonSchema>) {
  if (!schema) return [];
  const shape = (schema as z.ZodMiniObject)._zod.def.shape;
  return Object.entries(shape).map(([name, field]) => {
    const json = toOpenApi(field, components);
    return {
      schema: json,
      required: where === 'path' || field._zod.optin === undefined,
      ...(json.description ? { description: json.description } : {}),
      name,
      in: where,
    };
  });
}

const pascal = (code: string) => code.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());

/**
 * The problem document of one code, exactly as ./problem writes it: RFC 9457's members, the
 * stable `code`, and the extension members of that code (no others).
 */
function problemSchemaOf(code: string, status: number, title: string) {
  return z
    .strictObject({
      type: z.literal(`/problems/${code}`),
      title: z.string(),
      status: z.literal(status),
      detail: z.string(),
      code: z.literal(code).check(z.describe('Stable machine-readable code')),
      instance: z.optional(z.string().check(z.describe('The request path'))),
      ...problemExtensions[code],
    })
    .check(z.meta({ id: `${pascal(code)}Problem`, title }));
}

/** API Gateway's own answers in AWS (throttling, its JWT authorizer, a function that failed): `{message}`. */
const gatewayMessageSchema = z.object({ message: z.string() }).check(z.meta({ id: 'GatewayMessage' }));

type Problems = { ref(code: string, status: number, title: string): JsonSchema; gateway: JsonSchema };

/** A component per problem code that some operation answers (so none goes unused). */
function problemComponents(components: Record<string, JsonSchema>): Problems {
  const refs = new Map<string, JsonSchema>();
  const ref = (code: string, status: number, title: string) => {
    if (!refs.has(code)) refs.set(code, toOpenApi(problemSchemaOf(code, status, title), components));
    return refs.get(code)!;
  };
  return { ref, gateway: toOpenApi(gatewayMessageSchema, components) };
}

function discriminated(variants: [string, JsonSchema][]): JsonSchema {
  if (variants.length === 1) return variants[0]![1];
  return {
    oneOf: variants.map(([, ref]) => ref),
    discriminator: { propertyName: 'code', mapping: Object.fromEntries(variants.map(([code, ref]) => [code, ref.$ref as string])) },
  };
}

const bodyOf = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

/** The responses of a route's failures, one per status, each listing its codes with an example of each. */
function failureResponses(route: (typeof routes)[number], failures: DomainError[], problems: Problems) {
  const byStatus = new Map<number, DomainError[]>();
  for (const failure of failures) byStatus.set(failure.status, [...(byStatus.get(failure.status) ?? []), failure]);
  const out: Record<string, unknown> = {};
  for (const [status, errors] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const gatewayToo = status === 401 && route.auth === 'admin';
    out[status] = {
      description:
        errors.map((error) => `\`${error.code}\`: ${error.title}`).join('; ') +
        (gatewayToo ? " (in AWS, API Gateway's JWT authorizer answers `{message}`)" : ''),
      content: {
        'application/problem+json': {
          schema: discriminated(errors.map((error) => [error.code, problems.ref(error.code, error.status, error.title)])),
          examples: Object.fromEntries(errors.map((error) => [error.code, { summary: error.title, value: bodyOf(problemResponse(error, route.path)) }])),
        },
        ...(gatewayToo ? { 'application/json': { schema: problems.gateway } } : {}),
      },
    };
  }
  out[429] = {
    description: 'Throttled by API Gateway (deployed API only; the local server never answers it); retry later',
    content: { 'application/json': { schema: problems.gateway, example: { message: 'Too Many Requests' } } },
  };
  out[500] = {
    description: "`internal`: nothing about the cause is revealed (in AWS, a function that failed or timed out: API Gateway's `{message}`)",
    content: {
      'application/problem+json': {
        schema: problems.ref(INTERNAL.code, INTERNAL.status, 'Internal error'),
        example: bodyOf(internalErrorResponse(route.path)),
      },
      'application/json': { schema: problems.gateway, example: { message: 'Internal Server Error' } },
    },
  };
  return out;
}

/** HEAD beside a GET: the same statuses and headers, no body. */
function headOf(get: { operationId: string; summary: string; responses: Record<string, unknown> }) {
  return {
    ...get,
    operationId: `${get.operationId}Head`,
    summary: `${get.summary} (HEAD: status and headers only)`,
    responses: Object.fromEntries(
      Object.entries(get.responses).map(([status, response]) => [status, { description: (response as { description: string }).description }]),
    ),
  };
}

let cached: unknown;

/**
 * The OpenAPI 3.1 document, generated from the same route table and zod schemas the handlers use,
 * and, for the failures, from the domain errors each route can raise (./failures).
 */
export function openApiDocument(): unknown {
  if (cached) return cached;
  const components: Record<string, JsonSchema> = {};
  const problems = problemComponents(components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the document describes every contract, so it needs them all
    const contract: requests.RequestContract = requests[route.id];
    const response: ResponseDoc = responses[route.id];
    const params = [...parameters(contract.params, 'path', components), ...parameters(contract.query, 'query', components)];
    const operation = {
      operationId: route.id,
      summary: route.summary,
      security: route.auth === 'admin' ? [{ bearer: [] }] : [],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(contract.body ? { requestBody: { required: true, content: { 'application/json': { schema: toOpenApi(contract.body, components) } } } } : {}),
      responses: {
        [contract.status]: {
          description: response.description,
          ...(response.schema ? { content: { 'application/json': { schema: toOpenApi(response.schema, components) } } } : {}),
        },
        ...failureResponses(route, failuresOf(route, contract), problems),
      },
    };
    paths[route.path] ??= {};
    for (const method of servedMethods(route)) {
      paths[route.path]![method.toLowerCase()] = method === route.method ? operation : headOf(operation);
    }
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Employee lifecycle directory',
      version: '0.1.0',
      description:
        'Joiner, mover and leaver operations with addresses that are unique for life. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`; each operation lists the codes it can answer.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: '/', description: 'The API that serves this document' },
      { url: 'http://127.0.0.1:3000', description: 'Local: npm start' },
    ],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: components,
    },
    paths,
  };
  return cached;
}
