import type { Config } from '../config';
import { jweSecretBox, type SecretBox } from './box';
import { readPrivateJwkThroughExtension } from './extension-key';
import { publicJwkOf } from './sealing';

/**
 * AWS, the functions that open sealed secrets (`opensSecrets` in lib/http/routes.ts: the events
 * worker signs deliveries, the connectors worker calls SCIM systems): the public half from
 * SECRETS_PUBLIC_JWK and, when the function has SECRETS_PRIVATE_KEY_ARN, the private half read on
 * the first `open` through the Parameters and Secrets extension. Without the ARN the box only
 * seals. The functions that only seal use `sealingSecretBoxFor` (lib/secrets/sealing.ts), so their
 * bundles hold no reader of the private key.
 */
export function secretBoxFor(config: Config): SecretBox {
  const secretId = config.secretsPrivateKeyArn;
  return jweSecretBox({
    publicJwk: publicJwkOf(config),
    ...(secretId && {
      privateJwkLoader: () =>
        readPrivateJwkThroughExtension({ secretId, port: config.secretsExtensionPort, sessionToken: () => process.env.AWS_SESSION_TOKEN }),
    }),
  });
}
