import type { Config } from '../config';
import { jweSecretBox, type SecretBox } from './box';

/**
 * AWS, the functions that seal (create a subscription, rotate its secret, create a connector): a
 * box with the public half of the secrets key only (SECRETS_PUBLIC_JWK, which the stack sets from
 * the key's custom resource). It seals; `open` refuses. Without the variable the function cannot
 * seal, and says so at its first request rather than storing anything unsealed.
 */
export function sealingSecretBoxFor(config: Config): SecretBox {
  return jweSecretBox({ publicJwk: publicJwkOf(config) });
}

export function publicJwkOf(config: Config): NonNullable<Config['secretsPublicJwk']> {
  if (!config.secretsPublicJwk) throw new Error('SECRETS_PUBLIC_JWK is not set: this function cannot seal secrets (sealsSecrets in lib/http/routes.ts)');
  return config.secretsPublicJwk;
}
