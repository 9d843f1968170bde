import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateSecretKeys, jweSecretBox, type SecretBox } from './box';

/**
 * `npm start`'s secrets key: made on first start in the owner-only state folder and kept, so the
 * subscriptions and connectors of the previous run still open after a restart. One process does
 * everything locally, so it holds both halves; in AWS only the delivery functions hold the private one.
 */
export async function localSecretBox(path: string): Promise<SecretBox> {
  if (!existsSync(path)) {
    const keys = await generateSecretKeys();
    // `wx`: two servers starting at once do not each write a key (the loser reads the winner's).
    try {
      writeFileSync(path, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return jweSecretBox(JSON.parse(readFileSync(path, 'utf8')));
}
