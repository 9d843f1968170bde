import { CompactEncrypt, compactDecrypt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSecretKeys, jweSecretBox, SealedSecretMismatch } from '../../lib/secrets/box';

const ALG = 'ECDH-ES+A256KW';

describe('secret box: a standard JWE (ECDH-ES+A256KW, A256GCM) on node:crypto', () => {
  it('opens what it sealed, for the same purpose only', async () => {
    const box = jweSecretBox(await generateSecretKeys());
    const sealed = await box.seal('whsec_ünïcode', 'subscription:S1');
    expect(await box.open(sealed, 'subscription:S1')).toBe('whsec_ünïcode');
    await expect(box.open(sealed, 'subscription:S2')).rejects.toBeInstanceOf(SealedSecretMismatch);
  });

  it('writes what jose opens, and opens what jose writes (so sealed values outlive the implementation)', async () => {
    const keys = await generateSecretKeys();
    const box = jweSecretBox(keys);
    const ours = await box.seal('token-1', 'connector:C1');
    const { plaintext, protectedHeader } = await compactDecrypt(ours, await importJWK(keys.privateJwk, ALG));
    expect(new TextDecoder().decode(plaintext)).toBe('token-1');
    expect(protectedHeader).toMatchObject({ alg: ALG, enc: 'A256GCM', purpose: 'connector:C1' });

    const theirs = await new CompactEncrypt(new TextEncoder().encode('token-2'))
      .setProtectedHeader({ alg: ALG, enc: 'A256GCM', purpose: 'connector:C2' })
      .encrypt(await importJWK(keys.publicJwk, ALG));
    expect(await box.open(theirs, 'connector:C2')).toBe('token-2');
  });

  it('refuses a tampered value, another key, and a header that claims another purpose', async () => {
    const keys = await generateSecretKeys();
    const box = jweSecretBox(keys);
    const sealed = await box.seal('secret', 'subscription:S1');
    const parts = sealed.split('.');
    const flipped = [...parts];
    flipped[3] = Buffer.from(Buffer.from(parts[3]!, 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64url');
    await expect(box.open(flipped.join('.'), 'subscription:S1')).rejects.toThrow();

    const other = jweSecretBox(await generateSecretKeys());
    await expect(other.open(sealed, 'subscription:S1')).rejects.toThrow();

    // The purpose is in the authenticated header: rewriting it breaks the tag.
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString());
    const relabelled = [Buffer.from(JSON.stringify({ ...header, purpose: 'subscription:S2' })).toString('base64url'), ...parts.slice(1)].join('.');
    await expect(box.open(relabelled, 'subscription:S2')).rejects.toThrow();
  });

  it('seals with the public half alone and cannot open with it; a loader supplies the private half on first open, once', async () => {
    const keys = await generateSecretKeys();
    expect(keys.publicJwk).not.toHaveProperty('d');
    const sealing = jweSecretBox({ publicJwk: keys.publicJwk });
    const sealed = await sealing.seal('secret', 'subscription:S1');
    await expect(sealing.open(sealed, 'subscription:S1')).rejects.toThrow('holds only the public key');

    let loads = 0;
    const failFirst = jweSecretBox({
      publicJwk: keys.publicJwk,
      privateJwkLoader: async () => {
        loads++;
        if (loads === 1) throw new Error('extension not ready');
        return keys.privateJwk;
      },
    });
    await expect(failFirst.open(sealed, 'subscription:S1')).rejects.toThrow('extension not ready');
    expect(await failFirst.open(sealed, 'subscription:S1')).toBe('secret');
    expect(await failFirst.open(sealed, 'subscription:S1')).toBe('secret');
    expect(loads).toBe(2);
  });
});
