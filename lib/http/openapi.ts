import * as z from '../zod';
import * as requests from './requests';
import { responses, type ResponseDoc } from './responses';
import { routes } from './routes';

type JsonSchema = z.core.JSONSchema.BaseSchema;

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string().check(z.describe('Stable machine-readable code, e.g. email_in_use')),
    instance: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  })
  .check(z.meta({ id: 'Problem' }));

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

let cached: unknown;

/** The OpenAPI 3.1 document, generated from the same route table and zod schemas the handlers use. */
export function openApiDocument(): unknown {
  if (cached) return cached;
  const components: Record<string, JsonSchema> = {};
  const problemRef = toOpenApi(problemSchema, components);
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the document describes every contract, so it needs them all
    const contract: requests.RequestContract = requests[route.id];
    const response: ResponseDoc = responses[route.id];
    const isAdmin = route.auth === 'admin';
    const params = [...parameters(contract.params, 'path', components), ...parameters(contract.query, 'query', components)];
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.id,
      summary: route.summary,
      ...(isAdmin ? { security: [{ bearer: [] }] } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(contract.body ? { requestBody: { required: true, content: { 'application/json': { schema: toOpenApi(contract.body, components) } } } } : {}),
      responses: {
        [contract.status]: {
          description: response.description,
          ...(response.schema ? { content: { 'application/json': { schema: toOpenApi(response.schema, components) } } } : {}),
        },
        ...(contract.params || contract.query || contract.body ? { 400: problem('invalid_request: the request does not match this contract') } : {}),
        ...(isAdmin
          ? { 401: problem('unauthorized: missing or invalid bearer token'), 403: problem('forbidden: the subject is not an active directory admin') }
          : {}),
        ...(contract.body ? { 413: problem('payload_too_large: body over 64 KiB') } : {}),
        409: problem('email_in_use / invalid_state / external_id_in_use'),
        500: problem('internal: nothing about the cause is revealed'),
      },
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Employee lifecycle directory',
      version: '0.1.0',
      description: 'Joiner, mover and leaver operations with addresses that are unique for life. Errors are RFC 9457 problem documents.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: components,
      parameters: {},
    },
    paths,
    webhooks: {},
  };
  return cached;
}
