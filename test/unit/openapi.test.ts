import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from '../../lib/zod';
import { handler as getOpenApi } from '../../functions/get-openapi';
import { clientTypes, lintDocument, schemaFile } from '../../lib/client/generate';
import * as errors from '../../lib/domain/errors';
import { exampleOf, failuresOf, INTERNAL, problemExamples, problemExtensions, routeErrors, type DomainErrorClass } from '../../lib/http/failures';
import type { HttpEvent } from '../../lib/http/handler';
import { internalErrorResponse, problemResponse } from '../../lib/http/problem';
import * as requests from '../../lib/http/requests';
import { routes } from '../../lib/http/routes';
import { assertValidOpenApi, responseChecker } from '../support/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the document is JSON; each assertion states the shape it expects
let document: any;

/** The document exactly as the deployed function serves it. */
beforeAll(async () => {
  const context = { awsRequestId: 'req-1', functionName: 'get-openapi', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  const event = {
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r', http: { method: 'GET', path: '/openapi.json' } },
  } as unknown as HttpEvent;
  const response = await getOpenApi(event, context);
  expect(response.statusCode).toBe(200);
  document = JSON.parse(response.body);
});

describe('the served OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    await assertValidOpenApi(document);
  });

  it("passes Redocly's recommended rules with no error and no warning", () => {
    const result = lintDocument(document);
    expect(result.problems).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(result.status).toBe(0);
  });

  it('gives the typed client exactly the types checked in (run npm run client:generate after an API change)', async () => {
    expect(await clientTypes(document)).toBe(readFileSync(schemaFile, 'utf8'));
  });

  it('marks public operations public and admin operations as needing the bearer; names a server and a license', () => {
    for (const route of routes) {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      expect({ id: route.id, security: operation.security }).toEqual({ id: route.id, security: route.auth === 'admin' ? [{ bearer: [] }] : [] });
    }
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.info.license.name).toBeTruthy();
  });

  it("lists each operation's statuses from the errors its route can raise, each answered as problem+json", () => {
    for (const route of routes) {
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: every contract is checked
      const contract: requests.RequestContract = requests[route.id];
      const operation = document.paths[route.path][route.method.toLowerCase()];
      const failures = failuresOf(route, contract);
      const expected = [contract.status, ...failures.map((e) => e.status), 429, INTERNAL.status];
      expect({ id: route.id, statuses: Object.keys(operation.responses).map(Number).sort() }).toEqual({
        id: route.id,
        statuses: [...new Set(expected)].sort(),
      });
      for (const failure of failures) {
        const content = operation.responses[failure.status].content['application/problem+json'];
        expect(content.examples[failure.code].value.code).toBe(failure.code);
      }
    }
  });
});

describe('the failure catalog (lib/http/failures.ts)', () => {
  const classes = (Object.values(errors) as unknown[]).filter(
    (value): value is DomainErrorClass => typeof value === 'function' && value.prototype instanceof errors.DomainError,
  );

  it('has an example of every domain error class, with distinct codes', () => {
    expect(classes.length).toBeGreaterThan(10);
    for (const errorClass of classes) expect(exampleOf(errorClass)).toBeInstanceOf(errorClass);
    expect(new Set(problemExamples.map((e) => e.code)).size).toBe(problemExamples.length);
  });

  it("declares exactly the extension members each error's problem document carries", () => {
    for (const example of problemExamples) {
      const schema = z.strictObject(problemExtensions[example.code] ?? {});
      expect({ code: example.code, ok: schema.safeParse(example.extensions()).success }).toEqual({ code: example.code, ok: true });
    }
  });

  it('documents each problem document exactly as lib/http/problem.ts writes it', () => {
    const checker = responseChecker(document);
    const documented = Object.keys(document.components.schemas).filter((name) => name.endsWith('Problem'));
    const written = [...problemExamples.map((e) => problemResponse(e, '/users')), internalErrorResponse('/users')].map((r) => JSON.parse(r.body));
    for (const body of written) {
      const name = `${String(body.code).replace(/(^|_)(\w)/g, (_: string, __: string, c: string) => c.toUpperCase())}Problem`;
      // Only codes some operation answers have a component (405 is the local server's, for no operation).
      if (!documented.includes(name)) continue;
      expect({ name, problem: checker.component(name, body) }).toEqual({ name, problem: undefined });
      expect({ name, extra: checker.component(name, { ...body, undocumented: 1 }) }).not.toEqual({ name, extra: undefined });
    }
    const contracts: Record<string, requests.RequestContract> = requests;
    const answered = new Set(routes.flatMap((r) => failuresOf(r, contracts[r.id]!).map((e) => e.code)));
    expect(documented.length).toBe(answered.size + 1);
  });

  it('names errors for every route and no route that does not exist', () => {
    expect(Object.keys(routeErrors).sort()).toEqual(routes.map((r) => r.id).sort());
  });
});
