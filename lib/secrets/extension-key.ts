import type { JWK } from 'jose';

export type ExtensionKeyOptions = {
  /** The Secrets Manager secret holding the private JWK (SECRETS_PRIVATE_KEY_ARN). */
  secretId: string;
  /** The extension's port (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, 2773 unless the stack changes it). */
  port: number;
  /** The function's session token: the extension only answers callers that present it. */
  sessionToken: () => string | undefined;
};

/**
 * AWS, the functions that open (deliver events, provision connectors): the private half of the
 * secrets key, read through the AWS Parameters and Secrets Lambda Extension (a layer the stack adds
 * to those functions only, like the HR webhook functions'), so no Secrets Manager client is bundled.
 * The box asks once per cold start (it keeps the imported key); a failure throws and is asked again
 * by the next open. Nothing of the secret's text is ever put into an error message.
 */
export async function readPrivateJwkThroughExtension(options: ExtensionKeyOptions): Promise<JWK> {
  const { secretId, port, sessionToken } = options;
  const response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': sessionToken() ?? '' },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`the secrets extension answered HTTP ${response.status} for the secrets key`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  let jwk: unknown;
  try {
    jwk = JSON.parse(SecretString ?? '');
  } catch {
    throw new Error('the secrets key secret is not JSON: it must hold the private JWK the deployment generated');
  }
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as JWK).d !== 'string' || (jwk as JWK).kty !== 'EC') {
    throw new Error('the secrets key secret holds no private EC JWK: it must hold the private JWK the deployment generated');
  }
  return jwk as JWK;
}
