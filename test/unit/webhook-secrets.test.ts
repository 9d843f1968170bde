import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { ExtensionWebhookSecrets } from '../../lib/webhooks/secrets-extension';
import { webhookSecretsFor } from '../../lib/webhooks/secrets';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hr-webhooks-AbCdEf';
let server: Server;
let port: number;
let requests: IncomingMessage[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

/** Stands in for the Parameters and Secrets extension on loopback. */
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    // Like the extension: only callers presenting the function's session token get an answer.
    if (req.headers['x-aws-parameters-secrets-token'] !== 'session-token') return void res.writeHead(401).end('{"message":"unauthorized"}');
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const secrets = (token: string | undefined = 'session-token') => new ExtensionWebhookSecrets({ secretId: SECRET_ARN, port, sessionToken: () => token });

describe('HR webhook secrets through the Parameters and Secrets extension', () => {
  it("asks the extension for the secret with the function's session token and picks the provider's entry", async () => {
    requests = [];
    answer = { status: 200, body: { Name: 'hr-webhooks', SecretString: JSON.stringify({ standard: 'whsec_abc', gusto: 'g-token', bamboohr: '' }) } };

    await expect(secrets().get('standard')).resolves.toBe('whsec_abc');
    await expect(secrets().get('gusto')).resolves.toBe('g-token');
    // An empty or missing entry means "not configured" (the webhook answers 404), not an empty key.
    await expect(secrets().get('bamboohr')).resolves.toBeUndefined();
    await expect(secrets().get('workday')).resolves.toBeUndefined();

    expect(requests[0]!.url).toBe(`/secretsmanager/get?secretId=${encodeURIComponent(SECRET_ARN)}`);
    expect(requests[0]!.headers['x-aws-parameters-secrets-token']).toBe('session-token');
  });

  it('fails when the extension refuses, so the webhook answers 500 and the HR system retries', async () => {
    answer = { status: 200, body: { SecretString: '{"standard":"whsec_abc"}' } };
    await expect(secrets('another-functions-token').get('standard')).rejects.toThrow('the secrets extension answered HTTP 401');
    answer = { status: 400, body: { message: 'secret not found' } };
    await expect(secrets().get('standard')).rejects.toThrow('the secrets extension answered HTTP 400');
  });

  it('reports a secret that is not a JSON object without quoting any of it', async () => {
    answer = { status: 200, body: { SecretString: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } };
    const error = (await secrets()
      .get('standard')
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('the HR webhook secret is not JSON; store {"<provider>": "<secret>", ...} as its text');
    answer = { status: 200, body: { SecretString: '"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"' } };
    await expect(secrets().get('standard')).rejects.toThrow('not a JSON object');
    answer = { status: 200, body: { SecretBinary: 'd2hzZWNfYWJj' } };
    await expect(secrets().get('standard')).rejects.toThrow('has no string value');
    answer = { status: 200, body: { SecretString: '{"standard":"whsec_abc"}' } };
    await expect(secrets().get('constructor')).resolves.toBeUndefined();
  });
});

describe('where the webhook secrets come from', () => {
  const base = { TABLE_NAME: 't', APP_BASE_URL: 'https://directory.corp.example' };

  it('in AWS (a secret ARN configured), the Secrets Manager secret through the extension', () => {
    expect(webhookSecretsFor(loadConfig({ ...base, HR_WEBHOOK_SECRETS_ARN: SECRET_ARN }))).toBeInstanceOf(ExtensionWebhookSecrets);
  });

  it('otherwise, the per-provider environment variables; an unset one means the provider is not configured', async () => {
    const secrets = webhookSecretsFor(loadConfig({ ...base, GUSTO_WEBHOOK_SECRET: 'g-token' }));
    await expect(secrets.get('gusto')).resolves.toBe('g-token');
    await expect(secrets.get('bamboohr')).resolves.toBeUndefined();
    await expect(secrets.get('constructor')).resolves.toBeUndefined();
  });
});
