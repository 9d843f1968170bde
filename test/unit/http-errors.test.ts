import { DynamoDBDocumentClient, GetCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as inviteUser } from '../../functions/invite-user';
import { handler as getUser } from '../../functions/get-user';
import {
  Busy,
  EmailInUse,
  ExternalIdInUse,
  Forbidden,
  InvalidRequest,
  InvalidState,
  NotFound,
  PayloadTooLarge,
  TokenInvalid,
  Unauthorized,
} from '../../lib/domain/errors';
import type { HttpEvent } from '../../lib/http/handler';
import { problemResponse } from '../../lib/http/problem';
import { installRuntime } from '../../lib/runtime';
import { StaticWebhookSecrets } from '../../lib/webhooks/secrets';
import { ephemeralSecretBox } from '../../lib/secrets/box';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(documentClient);
const context = { awsRequestId: 'req-1', functionName: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const ADMIN = '01JD3ZK1X7Q8M2V5N4R6T9W0YB';

function event(overrides: Partial<HttpEvent> & { sub?: string | null } = {}): HttpEvent {
  const { sub = ADMIN, ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: 'POST /users',
    rawPath: '/users',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r', http: { method: 'POST', path: '/users' }, ...(sub ? { authorizer: { jwt: { claims: { sub } } } } : {}) },
    ...rest,
  } as HttpEvent;
}

const parse = (response: { body: string }) => JSON.parse(response.body);

let deps: Parameters<typeof installRuntime>[0];
const currentDeps = () => deps;

beforeEach(() => {
  ddb.reset();
  deps = {
    table: { client: documentClient, name: 'unit' },
    webhookSecrets: new StaticWebhookSecrets({}),
    secretBox: ephemeralSecretBox(),
    clock: () => new Date('2026-01-01T00:00:00Z'),
    settings: { invitationTtlHours: 1, loginChangeTtlHours: 1, retentionDays: 90 },
  };
  installRuntime(deps);
});

describe('request parsing never lets bad input reach a use case', () => {
  it('answers 401 unauthorized when an admin route gets no verified subject', async () => {
    const response = await inviteUser(event({ sub: null, body: '{}' }), context);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(parse(response).code).toBe('unauthorized');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await inviteUser(event({ body: '{"type":' }), context);
    expect(response.statusCode).toBe(400);
    expect(parse(response)).toMatchObject({ code: 'invalid_request', errors: [{ path: 'body', message: 'body is not valid JSON' }] });
  });

  it('answers 400 with one entry per bad field: wrong types, unknown enum values, invalid addresses, unknown fields', async () => {
    const body = JSON.stringify({ type: 'contractor', loginEmail: 'nope', firstName: 7, lastName: 'Doe', surprise: true });
    const response = await inviteUser(event({ body }), context);
    expect(response.statusCode).toBe(400);
    const paths = parse(response)
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(['body', 'body.firstName', 'body.loginEmail', 'body.type']);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 413 payload_too_large for bodies over 64 KiB, also when base64-encoded', async () => {
    const big = JSON.stringify({ firstName: 'x'.repeat(70_000) });
    expect((await inviteUser(event({ body: big }), context)).statusCode).toBe(413);
    const encoded = Buffer.from(big).toString('base64');
    const response = await inviteUser(event({ body: encoded, isBase64Encoded: true }), context);
    expect(response.statusCode).toBe(413);
    expect(parse(response).code).toBe('payload_too_large');
  });

  it('answers 400 for a path id that is not a user id', async () => {
    const response = await getUser(event({ pathParameters: { id: '../../etc' } }), context);
    expect(response.statusCode).toBe(400);
    expect(parse(response).errors[0].path).toBe('path.id');
  });
});

describe('the subject claim', () => {
  it('is `sub` by default, or the custom claim configured for the identity provider', async () => {
    const noSub = event({ sub: null, pathParameters: { id: ADMIN } });
    noSub.requestContext.authorizer = { jwt: { claims: { sub: 'idp-user-1', directory_user_id: ADMIN } } };
    ddb.on(BatchGetCommand).resolves({ Responses: { unit: [] } });
    expect((await getUser(noSub, context)).statusCode).toBe(403);
    installRuntime({ ...currentDeps(), settings: { ...currentDeps().settings, subjectClaim: 'directory_user_id' } });
    const missing = event({ sub: null, pathParameters: { id: ADMIN } });
    missing.requestContext.authorizer = { jwt: { claims: { sub: 'idp-user-1' } } };
    expect((await getUser(missing, context)).statusCode).toBe(401);
    await getUser(noSub, context);
    const keys = ddb.commandCalls(BatchGetCommand).at(-1)!.args[0].input.RequestItems!.unit!.Keys!;
    expect(keys.map((k) => k.pk)).toContain(`USER#${ADMIN}`);
  });
});

describe('unknown failures', () => {
  it('become a 500 problem that reveals nothing about the cause', async () => {
    ddb.on(BatchGetCommand).rejects(new Error('arn:aws:dynamodb:eu-west-1:123456789012:table/secret-table is on fire'));
    ddb.on(GetCommand).rejects(new Error('arn:aws:dynamodb:eu-west-1:123456789012:table/secret-table is on fire'));
    const response = await getUser(event({ pathParameters: { id: ADMIN } }), context);
    expect(response.statusCode).toBe(500);
    expect(parse(response).code).toBe('internal');
    expect(response.body).not.toMatch(/arn:|secret-table|fire/);
  });
});

describe('domain errors map to problem documents with stable codes', () => {
  const holder = { id: 'U1', status: 'dismissed', type: 'employee' };
  it.each([
    [new InvalidRequest([{ path: 'body.x', message: 'bad' }]), 400, 'invalid_request'],
    [new Unauthorized(), 401, 'unauthorized'],
    [new Forbidden(), 403, 'forbidden'],
    [new NotFound('user', 'U1'), 404, 'not_found'],
    [new EmailInUse('a@b.co', ['login'], holder), 409, 'email_in_use'],
    [new ExternalIdInUse('E1', 'U1'), 409, 'external_id_in_use'],
    [new InvalidState('nope'), 409, 'invalid_state'],
    [new TokenInvalid(), 410, 'token_invalid'],
    [new PayloadTooLarge(10), 413, 'payload_too_large'],
    [new Busy(), 503, 'busy'],
  ])('%s -> %i %s', (error, status, code) => {
    const response = problemResponse(error, '/x');
    expect(response.statusCode).toBe(status);
    expect(parse(response)).toMatchObject({ status, code, type: `/problems/${code}`, instance: '/x' });
  });

  it('email_in_use says how the address is used, by whom, and how to free it', () => {
    const body = parse(problemResponse(new EmailInUse('a@b.co', ['login', 'contact'], holder)));
    expect(body).toMatchObject({ email: 'a@b.co', usedAs: ['login', 'contact'], user: holder });
    expect(body.hint).toContain('/emails/a%40b.co/transfer');
    expect(body.hint).toContain('replacementLoginEmail');
  });
});
