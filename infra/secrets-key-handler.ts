import { DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { generateSecretKeys } from '../lib/secrets/box';

/**
 * The deploy-time handler of the secrets key (infra/secrets-key.ts), run by the custom resource
 * Provider framework, never by the directory. The key must never change once sealed values exist:
 * a new key would make every stored signing secret and connector token unreadable. So:
 *   Create  generates a P-256 pair, puts the private JWK into the (empty) secret and answers the
 *           public JWK; a secret that already holds a value is refused, never overwritten.
 *   Update  answers the same key: its public half is the physical resource id.
 *   Delete  leaves the secret and its value alone (the secret itself is RETAINed).
 */
export type SecretsKeyProperties = { ServiceToken: string; SecretArn: string };
export type SecretsKeyData = { PublicJwk: string };

const client = new SecretsManagerClient({});

/** The physical resource id: the public key's coordinates, so Update and Delete know it without reading the secret. */
const physicalIdOf = (x: string, y: string): string => `P-256:${x}:${y}`;

function publicJwkOf(physicalId: string): string {
  const [curve, x, y] = physicalId.split(':');
  if (curve !== 'P-256' || !x || !y) throw new Error(`not a secrets key resource id: ${physicalId}`);
  return JSON.stringify({ kty: 'EC', crv: 'P-256', x, y });
}

export async function handler(event: CdkCustomResourceEvent<SecretsKeyProperties>): Promise<CdkCustomResourceResponse<SecretsKeyData>> {
  const secretArn = event.ResourceProperties.SecretArn;
  switch (event.RequestType) {
    case 'Create': {
      const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId: secretArn }));
      if (Object.values(VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'))) {
        throw new Error(
          `${secretArn} already holds a value: refusing to replace it with a new secrets key (every sealed secret would become unreadable). Restore the previous key resource instead.`,
        );
      }
      const { publicJwk, privateJwk } = await generateSecretKeys();
      await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(privateJwk) }));
      const physicalId = physicalIdOf(publicJwk.x!, publicJwk.y!);
      return { PhysicalResourceId: physicalId, Data: { PublicJwk: publicJwkOf(physicalId) } };
    }
    case 'Update': {
      if (event.OldResourceProperties.SecretArn !== secretArn) {
        throw new Error('the secrets key cannot move to another secret: its private half is in the old one');
      }
      return { PhysicalResourceId: event.PhysicalResourceId, Data: { PublicJwk: publicJwkOf(event.PhysicalResourceId) } };
    }
    case 'Delete':
      return { PhysicalResourceId: event.PhysicalResourceId };
  }
}
