import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config';
import { secretBoxFor } from '../../lib/secrets/aws';
import { generateSecretKeys, jweSecretBox } from '../../lib/secrets/box';
import { sealingSecretBoxFor } from '../../lib/secrets/sealing';

const KEY_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:SecretsKeySecret-AbCdEf';
const minimal = { TABLE_NAME: 'directory', APP_BASE_URL: 'https://directory.corp.example' };
const keys = await generateSecretKeys();

let server: Server;
let port: number;
let requests: IncomingMessage[] = [];
let secretString: string | undefined = JSON.stringify(keys.privateJwk);

/** Stands in for the Parameters and Secrets extension on loopback. */
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    if (req.headers['x-aws-parameters-secrets-token'] !== 'session-token') return void res.writeHead(401).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ SecretString: secretString }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  requests = [];
  secretString = JSON.stringify(keys.privateJwk);
});

const configWith = (env: Record<string, string>) =>
  loadConfig({ ...minimal, SECRETS_PUBLIC_JWK: JSON.stringify(keys.publicJwk), PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), ...env });

describe('secrets key configuration', () => {
  it('reads the public JWK and the private key secret ARN, both optional', () => {
    expect(loadConfig(minimal)).toMatchObject({ secretsPublicJwk: undefined, secretsPrivateKeyArn: undefined });
    const { kty, crv, x, y } = keys.publicJwk;
    expect(configWith({ SECRETS_PRIVATE_KEY_ARN: KEY_ARN })).toMatchObject({ secretsPublicJwk: { kty, crv, x, y }, secretsPrivateKeyArn: KEY_ARN });
  });

  it('refuses a public key that is not a P-256 public JWK, and a private half in the variable, without quoting it', () => {
    const bad = (value: string) => () => loadConfig({ ...minimal, SECRETS_PUBLIC_JWK: value });
    const message = 'SECRETS_PUBLIC_JWK: must be a P-256 public JWK (JSON, no "d")';
    expect(bad('not json')).toThrow(message);
    expect(bad(JSON.stringify({ ...keys.publicJwk, crv: 'P-384' }))).toThrow(message);
    expect(bad(JSON.stringify({ ...keys.publicJwk, x: 'short' }))).toThrow(message);
    expect(bad(JSON.stringify(keys.privateJwk))).toThrow(message);
    expect(bad(JSON.stringify(keys.privateJwk))).not.toThrow(keys.privateJwk.d!);
    expect(() => loadConfig({ ...minimal, SECRETS_PRIVATE_KEY_ARN: 'SecretsKeySecret' })).toThrow('SECRETS_PRIVATE_KEY_ARN: must be a secret ARN');
  });
});

describe('secretBoxFor (AWS)', () => {
  it('without the public key, refuses to build a box rather than store anything unsealed', () => {
    expect(() => secretBoxFor(loadConfig(minimal))).toThrow('SECRETS_PUBLIC_JWK is not set');
    expect(() => sealingSecretBoxFor(loadConfig(minimal))).toThrow('SECRETS_PUBLIC_JWK is not set');
  });

  it('seals with the public half only where there is no secret ARN, and never asks the extension', async () => {
    const box = secretBoxFor(configWith({}));
    const sealed = await box.seal('whsec_x', 'subscription:S1');
    await expect(box.open(sealed, 'subscription:S1')).rejects.toThrow('holds only the public key');
    await expect(sealingSecretBoxFor(configWith({ SECRETS_PRIVATE_KEY_ARN: KEY_ARN })).open(sealed, 'subscription:S1')).rejects.toThrow(
      'holds only the public key',
    );
    expect(requests).toHaveLength(0);
    // What the sealing functions write, the full key opens.
    expect(await jweSecretBox(keys).open(sealed, 'subscription:S1')).toBe('whsec_x');
  });

  it('with the secret ARN, reads the private half through the extension on the first open, once', async () => {
    const sealed = await sealingSecretBoxFor(configWith({})).seal('token', 'connector:C1');
    const box = secretBoxFor(configWith({ SECRETS_PRIVATE_KEY_ARN: KEY_ARN }));
    expect(requests).toHaveLength(0);
    expect(await box.open(sealed, 'connector:C1')).toBe('token');
    expect(await box.open(sealed, 'connector:C1')).toBe('token');
    expect(requests.map((r) => r.url)).toEqual([`/secretsmanager/get?secretId=${encodeURIComponent(KEY_ARN)}`]);
  });

  it('fails an open when the secret holds no private key (and asks again next time), quoting none of it', async () => {
    const sealed = await sealingSecretBoxFor(configWith({})).seal('token', 'connector:C1');
    const box = secretBoxFor(configWith({ SECRETS_PRIVATE_KEY_ARN: KEY_ARN }));
    secretString = 'not-a-jwk-but-secret-text';
    const error = (await box.open(sealed, 'connector:C1').catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('is not JSON');
    expect(error.message).not.toContain('secret-text');
    secretString = JSON.stringify(keys.publicJwk);
    await expect(box.open(sealed, 'connector:C1')).rejects.toThrow('holds no private EC JWK');
    secretString = JSON.stringify(keys.privateJwk);
    expect(await box.open(sealed, 'connector:C1')).toBe('token');
    expect(requests).toHaveLength(3);
  });
});
