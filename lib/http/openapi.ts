import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { contracts, type Contract } from './contracts';
import { routes } from './routes';

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable machine-readable code, e.g. email_in_use'),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

let cached: unknown;

/** The OpenAPI 3.1 document, generated from the same route table and zod schemas the handlers use. */
export function openApiDocument(): unknown {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const route of routes) {
    const contract: Contract = contracts[route.id];
    const isAdmin = route.auth === 'admin';
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete',
      path: route.path,
      operationId: route.id,
      summary: route.summary,
      ...(isAdmin ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(contract.params ? { params: contract.params as z.ZodObject } : {}),
        ...(contract.query ? { query: contract.query as z.ZodObject } : {}),
        ...(contract.body ? { body: { required: true, content: { 'application/json': { schema: contract.body } } } } : {}),
      },
      responses: {
        [contract.success.status]: {
          description: contract.success.description,
          ...(contract.success.schema ? { content: { 'application/json': { schema: contract.success.schema } } } : {}),
        },
        ...(contract.params || contract.query || contract.body ? { 400: problem('invalid_request: the request does not match this contract') } : {}),
        ...(isAdmin
          ? { 401: problem('unauthorized: missing or invalid bearer token'), 403: problem('forbidden: the subject is not an active directory admin') }
          : {}),
        ...(contract.body ? { 413: problem('payload_too_large: body over 64 KiB') } : {}),
        409: problem('email_in_use / invalid_state / external_id_in_use'),
        500: problem('internal: nothing about the cause is revealed'),
      },
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Employee lifecycle directory',
      version: '0.1.0',
      description: 'Joiner, mover and leaver operations with addresses that are unique for life. Errors are RFC 9457 problem documents.',
    },
  });
  return cached;
}
