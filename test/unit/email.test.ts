import { describe, expect, it } from 'vitest';
import { emailProblem, emailSchema, normalizeEmail } from '../../lib/domain/email';

describe('address normalisation (rule 1)', () => {
  it('trims, lower-cases the whole address and applies Unicode NFC', () => {
    expect(normalizeEmail('  Jane.Doe@CORP.Example \n')).toBe('jane.doe@corp.example');
    const decomposed = 'Jose\u0301@corp.example'; // e + combining acute accent
    expect(normalizeEmail(decomposed)).toBe('jos\u00e9@corp.example');
  });

  it('keeps dots and plus tags significant', () => {
    expect(normalizeEmail('a.b+x@corp.com')).not.toBe(normalizeEmail('ab@corp.com'));
  });

  it('accepts ordinary and internationalised addresses', () => {
    for (const address of ['a@b.co', 'a.b+x@corp.com', 'jos\u00e9@corp.example', 'user@m\u00fcller.de']) {
      expect(emailProblem(address)).toBeUndefined();
    }
  });

  it.each([
    ['', 'is empty'],
    ['no-at-sign', 'must look like name@domain'],
    ['@corp.example', 'must look like name@domain'],
    ['jane@', 'must look like name@domain'],
    ['jane doe@corp.example', 'contains invisible, control or space characters'],
    ['ja\u200bne@corp.example', 'contains invisible, control or space characters'],
    ['ja\u0000ne@corp.example', 'contains invisible, control or space characters'],
    ['\ud800x@corp.example', 'contains invisible, control or space characters'],
    ['jane@moved.invalid', 'uses the reserved .invalid domain'],
    ['.jane@corp.example', 'has an invalid local part'],
    ['ja..ne@corp.example', 'has an invalid local part'],
    ['jane@localhost', 'has an invalid domain'],
    ['jane@-corp.example', 'has an invalid domain'],
    [`${'a'.repeat(65)}@corp.example`, 'has a local part longer than 64 characters'],
    [`a@${'b'.repeat(250)}.com`, 'is longer than 254 characters'],
  ])('rejects %j because it %s', (address, reason) => {
    expect(emailProblem(address)).toBe(reason);
  });

  it('schema normalises before validating', () => {
    expect(emailSchema.parse('  Jane@Corp.Example ')).toBe('jane@corp.example');
    expect(emailSchema.safeParse('not an address').success).toBe(false);
    expect(emailSchema.safeParse(42).success).toBe(false);
  });
});
