import { describe, expect, it } from 'vitest';
import { hashSecret, issueToken, parseToken, secretMatches } from '../../lib/domain/tokens';

const userId = '01JD3ZK1X7Q8M2V5N4R6T9W0YB';

describe('mailed tokens', () => {
  it('carry the user id and a secret whose hash, not the secret, is stored', () => {
    const { token, hash } = issueToken(userId);
    const parsed = parseToken(token)!;
    expect(parsed.userId).toBe(userId);
    expect(hash).toBe(hashSecret(parsed.secret));
    expect(hash).not.toContain(parsed.secret);
    expect(secretMatches(parsed.secret, hash)).toBe(true);
  });

  it('are unique per issue', () => {
    expect(issueToken(userId).token).not.toBe(issueToken(userId).token);
  });

  it('reject a wrong secret and malformed tokens', () => {
    const { hash } = issueToken(userId);
    expect(secretMatches(parseToken(issueToken(userId).token)!.secret, hash)).toBe(false);
    for (const bad of ['', 'abc', `${userId}.short`, `${userId}`, `not-a-ulid.${'a'.repeat(43)}`]) expect(parseToken(bad)).toBeUndefined();
  });
});
