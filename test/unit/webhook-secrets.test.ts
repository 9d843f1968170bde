import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtensionWebhookSecrets } from '../../lib/webhooks/secrets-extension';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hr-webhooks-AbCdEf';
let server: Server;
let port: number;
let requests: IncomingMessage[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

/** Stands in for the Parameters and Secrets extension on loopback. */
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
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
    answer = { status: 400, body: { message: 'token invalid' } };
    await expect(secrets(undefined).get('standard')).rejects.toThrow('the secrets extension answered HTTP 400');
  });
});
