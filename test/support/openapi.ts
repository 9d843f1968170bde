import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ApiResponse } from './http';

// biome-ignore lint/suspicious/noExplicitAny: the document is JSON of many shapes; each lookup states what it expects
type Json = any;

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The document is a valid OpenAPI 3.1 document (its published JSON schema). */
export async function assertValidOpenApi(document: unknown): Promise<void> {
  const result = await new Validator().validate(document as Parameters<Validator['validate']>[0]);
  if (!result.valid) throw new Error(`not a valid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
}

const pointer = (...segments: string[]) => segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Checks answers against the document: the status must be one the operation lists, the content
 * type one that status lists, and the body valid against that content's schema (ajv, JSON Schema
 * 2020-12: the dialect of OpenAPI 3.1, `$ref`s resolved inside the document). Records which
 * statuses of which operations were seen.
 */
export function responseChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'https://directory.invalid/openapi.json' });
  const compiled = new Map<string, ValidateFunction>();
  const operations = new Map<string, { path: string; method: string; operation: Json }>();
  for (const [path, methods] of Object.entries<Json>(document.paths)) {
    for (const [method, operation] of Object.entries<Json>(methods)) operations.set(operation.operationId, { path, method, operation });
  }
  const seen = new Map<string, Set<number>>();

  function check(operationId: string, response: ApiResponse): ApiResponse {
    const entry = operations.get(operationId);
    if (!entry) throw new Error(`${operationId} is not in the document`);
    const where = `${operationId} (${entry.method.toUpperCase()} ${entry.path}) answered ${response.status}`;
    const documented = entry.operation.responses[String(response.status)];
    if (!documented) throw new Error(`${where}, which the document does not list: ${JSON.stringify(response.body)}`);
    if (!documented.content) {
      // HEAD: status and headers only.
      if (response.body !== undefined) throw new Error(`${where} with a body; the document describes none`);
      seen.set(operationId, (seen.get(operationId) ?? new Set()).add(response.status));
      return response;
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = documented.content?.[contentType];
    if (!content) throw new Error(`${where} as ${contentType || 'no content type'}; the document lists ${Object.keys(documented.content ?? {}).join(', ')}`);
    const ref = `https://directory.invalid/openapi.json#/${pointer('paths', entry.path, entry.method, 'responses', String(response.status), 'content', contentType, 'schema')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    if (!validate(response.body)) {
      throw new Error(`${where} with a body the document does not describe: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body, null, 2)}`);
    }
    seen.set(operationId, (seen.get(operationId) ?? new Set()).add(response.status));
    return response;
  }

  return {
    check,
    /** Every operation of the document with the statuses it lists. */
    operations: () => [...operations.entries()].map(([id, { operation }]) => ({ id, statuses: Object.keys(operation.responses).map(Number) })),
    seen: (operationId: string) => [...(seen.get(operationId) ?? [])].sort(),
    /** Validates a value against a component schema of the document. */
    component(name: string, value: unknown): string | undefined {
      const validate = ajv.compile({ $ref: `https://directory.invalid/openapi.json#/components/schemas/${name}` });
      return validate(value) ? undefined : ajv.errorsText(validate.errors);
    },
  };
}
