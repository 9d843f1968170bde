import { DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, type SecretsKeyProperties } from '../../infra/secrets-key-handler';
import { jweSecretBox } from '../../lib/secrets/box';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:SecretsKeySecret-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);
const base = {
  ServiceToken: 'arn:aws:lambda:x',
  ResponseURL: 'https://x',
  StackId: 's',
  RequestId: 'r',
  LogicalResourceId: 'SecretsKey',
  ResourceType: 'Custom::DirectorySecretsKey',
};
const properties: SecretsKeyProperties = { ServiceToken: 'arn:aws:lambda:x', SecretArn: SECRET_ARN };
const event = (e: Record<string, unknown>) => ({ ...base, ResourceProperties: properties, ...e }) as unknown as CdkCustomResourceEvent<SecretsKeyProperties>;

beforeEach(() => secretsManager.reset());

describe('secrets key custom resource handler', () => {
  it('on Create, puts a fresh private JWK into the empty secret and answers its public half, which seals to it', async () => {
    secretsManager.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, VersionIdsToStages: {} });
    secretsManager.on(PutSecretValueCommand).resolves({});
    const response = await handler(event({ RequestType: 'Create' }));

    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put!.args[0].input.SecretId).toBe(SECRET_ARN);
    const privateJwk = JSON.parse(put!.args[0].input.SecretString!);
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    const publicJwk = JSON.parse(response.Data!.PublicJwk);
    expect(publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y });
    expect(response.PhysicalResourceId).toBe(`P-256:${privateJwk.x}:${privateJwk.y}`);
    const sealed = await jweSecretBox({ publicJwk }).seal('s', 'p');
    expect(await jweSecretBox({ publicJwk, privateJwk }).open(sealed, 'p')).toBe('s');
  });

  it('on Create, refuses a secret that already holds a value rather than replace the key', async () => {
    secretsManager.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    await expect(handler(event({ RequestType: 'Create' }))).rejects.toThrow('already holds a value');
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('on Update, answers the same key from its resource id, touching nothing; refuses to move to another secret', async () => {
    const id = `P-256:${'a'.repeat(43)}:${'b'.repeat(43)}`;
    const response = await handler(event({ RequestType: 'Update', PhysicalResourceId: id, OldResourceProperties: properties }));
    expect(response).toEqual({
      PhysicalResourceId: id,
      Data: { PublicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a'.repeat(43), y: 'b'.repeat(43) }) },
    });
    await expect(
      handler(event({ RequestType: 'Update', PhysicalResourceId: id, OldResourceProperties: { ...properties, SecretArn: `${SECRET_ARN}-old` } })),
    ).rejects.toThrow('cannot move to another secret');
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('on Delete, keeps the key', async () => {
    await expect(handler(event({ RequestType: 'Delete', PhysicalResourceId: 'P-256:x:y' }))).resolves.toEqual({ PhysicalResourceId: 'P-256:x:y' });
    expect(secretsManager.calls()).toHaveLength(0);
  });
});
