import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/**
 * Secrets at rest (docs/events.md, "Security"): webhook signing secrets and connector tokens are
 * stored sealed, as compact JWEs (ECDH-ES+A256KW, A256GCM) to the directory's secrets key. Sealing
 * needs only the public half, so the functions that create a subscription, rotate its secret or
 * create a connector can seal but never open; only the delivery functions hold the private half.
 * Each sealed value names what it belongs to (`purpose`, e.g. `subscription:<id>`) in its
 * protected header, which the cipher authenticates: a value copied onto another item does not open.
 */
export type SecretBox = {
  seal(plaintext: string, purpose: string): Promise<string>;
  open(sealed: string, purpose: string): Promise<string>;
};

const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';

export class SealedSecretMismatch extends Error {
  override readonly name = 'SealedSecretMismatch';
}

/** A box from the key's JWK halves: no private half, and `open` refuses (the sealing functions). */
export function jweSecretBox(keys: { publicJwk: JWK; privateJwk?: JWK | undefined; privateJwkLoader?: () => Promise<JWK> }): SecretBox {
  const publicKey = importJWK(keys.publicJwk, ALG);
  let privateKey: ReturnType<typeof importJWK> | undefined = keys.privateJwk ? importJWK(keys.privateJwk, ALG) : undefined;
  return {
    async seal(plaintext, purpose) {
      return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: ALG, enc: ENC, purpose }).encrypt(await publicKey);
    },
    async open(sealed, purpose) {
      if (!privateKey) {
        if (!keys.privateJwkLoader) throw new Error('this function cannot open sealed secrets (it holds only the public key)');
        privateKey = keys.privateJwkLoader().then((jwk) => importJWK(jwk, ALG));
        // A failed load is tried again by the next caller rather than cached.
        (privateKey as Promise<unknown>).catch(() => {
          privateKey = undefined;
        });
      }
      if (decodeProtectedHeader(sealed).purpose !== purpose) throw new SealedSecretMismatch(`the sealed value is not the secret of ${purpose}`);
      const { plaintext } = await compactDecrypt(sealed, await privateKey);
      return new TextDecoder().decode(plaintext);
    },
  };
}

/** A fresh key pair as JWKs (local state, tests, the deploy-time key generation). */
export async function generateSecretKeys(): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'P-256', extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

/** A box with a key pair of its own, made on first use and kept in memory only (tests, benchmarks). */
export function ephemeralSecretBox(): SecretBox {
  let box: Promise<SecretBox> | undefined;
  const get = () => {
    box ??= generateSecretKeys().then((keys) => jweSecretBox(keys));
    return box;
  };
  return {
    seal: async (plaintext, purpose) => (await get()).seal(plaintext, purpose),
    open: async (sealed, purpose) => (await get()).open(sealed, purpose),
  };
}
