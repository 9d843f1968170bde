import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { JWK } from 'jose';

/**
 * Secrets at rest (docs/events.md, "Security"): webhook signing secrets and connector tokens are
 * stored sealed, as compact JWEs (ECDH-ES+A256KW, A256GCM) to the directory's secrets key. Sealing
 * needs only the public half, so the functions that create a subscription, rotate its secret or
 * create a connector can seal but never open; only the delivery functions hold the private half.
 * Each sealed value names what it belongs to (`purpose`, e.g. `subscription:<id>`) in its
 * protected header, which the cipher authenticates: a value copied onto another item does not open.
 *
 * Built on node:crypto (RFC 7518 4.6 and 5.3: ECDH with an ephemeral key, Concat KDF with SHA-256,
 * AES key wrap, AES-GCM), not on jose, which costs every sealing or opening bundle about 29 KiB
 * and would take five functions over the bundle budget (docs/benchmarks.md). What it writes is a
 * standard JWE: test/unit/secret-box.test.ts opens it with jose and opens jose's with it.
 */
export type SecretBox = {
  seal(plaintext: string, purpose: string): Promise<string>;
  open(sealed: string, purpose: string): Promise<string>;
};

const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';
/** The AES key wrap's default initial value (RFC 3394 2.2.3.1). */
const KEY_WRAP_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

export class SealedSecretMismatch extends Error {
  override readonly name = 'SealedSecretMismatch';
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const unb64 = (text: string): Buffer => Buffer.from(text, 'base64url');
const uint32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};

/**
 * The key-encryption key: Concat KDF (NIST SP 800-56A) over the shared secret, one SHA-256 round
 * for 256 bits, AlgorithmID the `alg`, empty PartyUInfo and PartyVInfo (no `apu`/`apv`).
 */
function keyEncryptionKey(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  const shared = diffieHellman({ privateKey, publicKey });
  const algorithm = Buffer.from(ALG);
  const otherInfo = Buffer.concat([uint32(algorithm.length), algorithm, uint32(0), uint32(0), uint32(256)]);
  return createHash('sha256')
    .update(Buffer.concat([uint32(1), shared, otherInfo]))
    .digest();
}

/** The P-256 key of a JWK; node checks that the point is on the curve. */
function ecKey(jwk: JWK, part: 'public' | 'private'): KeyObject {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('the secrets key must be a P-256 EC key');
  const key = { key: jwk as JsonWebKey, format: 'jwk' } as const;
  return part === 'public' ? createPublicKey(key) : createPrivateKey(key);
}

function sealTo(publicKey: KeyObject, plaintext: string, purpose: string): string {
  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = ephemeral.publicKey.export({ format: 'jwk' });
  const header = b64(Buffer.from(JSON.stringify({ alg: ALG, enc: ENC, purpose, epk: { kty, crv, x, y } })));
  const contentKey = randomBytes(32);
  const wrap = createCipheriv('id-aes256-wrap', keyEncryptionKey(ephemeral.privateKey, publicKey), KEY_WRAP_IV);
  const encryptedKey = Buffer.concat([wrap.update(contentKey), wrap.final()]);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', contentKey, iv);
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [header, b64(encryptedKey), b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
}

type Header = { alg?: unknown; enc?: unknown; purpose?: unknown; epk?: JWK; crit?: unknown };

function headerOf(sealed: string): { encoded: string; header: Header; parts: string[] } {
  const parts = sealed.split('.');
  if (parts.length !== 5) throw new Error('not a sealed secret (a compact JWE has five parts)');
  let header: Header;
  try {
    header = JSON.parse(unb64(parts[0]!).toString('utf8')) as Header;
  } catch {
    throw new Error('not a sealed secret (its header is not JSON)');
  }
  if (typeof header !== 'object' || header === null) throw new Error('not a sealed secret (its header is not an object)');
  return { encoded: parts[0]!, header, parts };
}

function openWith(privateKey: KeyObject, sealed: string, purpose: string): string {
  const { encoded, header, parts } = headerOf(sealed);
  if (header.purpose !== purpose) throw new SealedSecretMismatch(`the sealed value is not the secret of ${purpose}`);
  if (header.alg !== ALG || header.enc !== ENC || header.crit !== undefined || !header.epk) throw new Error(`a sealed secret must be ${ALG} / ${ENC}`);
  const [, encryptedKey, iv, ciphertext, tag] = parts.map(unb64);
  const unwrap = createDecipheriv('id-aes256-wrap', keyEncryptionKey(privateKey, ecKey(header.epk, 'public')), KEY_WRAP_IV);
  const contentKey = Buffer.concat([unwrap.update(encryptedKey!), unwrap.final()]);
  if (iv!.length !== 12 || tag!.length !== 16) throw new Error('a sealed secret has a 96-bit IV and a 128-bit tag');
  const decipher = createDecipheriv('aes-256-gcm', contentKey, iv!);
  decipher.setAAD(Buffer.from(encoded, 'ascii'));
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
}

/** A box from the key's JWK halves: no private half, and `open` refuses (the sealing functions). */
export function jweSecretBox(keys: { publicJwk: JWK; privateJwk?: JWK | undefined; privateJwkLoader?: () => Promise<JWK> }): SecretBox {
  const publicKey = ecKey(keys.publicJwk, 'public');
  let privateKey: Promise<KeyObject> | undefined = keys.privateJwk ? Promise.resolve(ecKey(keys.privateJwk, 'private')) : undefined;
  return {
    async seal(plaintext, purpose) {
      return sealTo(publicKey, plaintext, purpose);
    },
    async open(sealed, purpose) {
      if (headerOf(sealed).header.purpose !== purpose) throw new SealedSecretMismatch(`the sealed value is not the secret of ${purpose}`);
      if (!privateKey) {
        if (!keys.privateJwkLoader) throw new Error('this function cannot open sealed secrets (it holds only the public key)');
        const loading = keys.privateJwkLoader().then((jwk) => ecKey(jwk, 'private'));
        privateKey = loading;
        // A failed load is tried again by the next caller rather than cached.
        loading.catch(() => {
          if (privateKey === loading) privateKey = undefined;
        });
      }
      return openWith(await privateKey, sealed, purpose);
    },
  };
}

/** A fresh key pair as JWKs (local state, tests, the deploy-time key generation). */
export async function generateSecretKeys(): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicJwk: publicKey.export({ format: 'jwk' }) as JWK, privateJwk: privateKey.export({ format: 'jwk' }) as JWK };
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
