import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emailProblem, emailSchema, normalizedEmailOrProblem, normalizeEmail } from '../../lib/domain/email';
import { textProblem } from '../../lib/domain/text';
import { normalizeWorkgroupName } from '../../lib/domain/workgroup';

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

// Letters that, followed by one combining mark, lower-case into a string that is not NFC.
const COMBINING = ['\u0300', '\u0301', '\u0302', '\u0303', '\u0307', '\u0308', '\u030a', '\u030c', '\u0323', '\u0327', '\u0331'];
const unicodeText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...'TtHhJjWwYyAaIiEeSs@.-_+'.split(''), ...COMBINING, '\u0130', '\u1e9e', '\u03a3', '\u212b', 'ｃ', '＠', '\u00df'),
      fc.string({ unit: 'grapheme', maxLength: 2 }),
      fc.string({ unit: 'binary', maxLength: 2 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

describe('address normalisation is idempotent and the same on every path (rule 1)', () => {
  it('normalising twice changes nothing, for any Unicode string', () => {
    fc.assert(
      fc.property(unicodeText, (raw) => normalizeEmail(normalizeEmail(raw)) === normalizeEmail(raw)),
      { numRuns: 5_000 },
    );
  });

  it('a valid address normalises to a valid address that is its own normal form', () => {
    fc.assert(
      fc.property(unicodeText, fc.constantFrom('corp.example', 'B\u00fccher.example', 'ｃｏｒｐ.example', 'xn--bcher-kva.example'), (local, domain) => {
        const raw = `${local}@${domain}`;
        if (emailProblem(raw)) return true;
        const normal = normalizeEmail(raw);
        return emailProblem(normal) === undefined && normalizeEmail(normal) === normal;
      }),
      { numRuns: 5_000 },
    );
  });

  it('the HTTP schema, the HR events path and lookups agree on the stored form', () => {
    fc.assert(
      fc.property(unicodeText, (local) => {
        const raw = `${local}@Corp.Example`;
        const http = emailSchema.safeParse(raw);
        const hr = normalizedEmailOrProblem(raw);
        if (!http.success) return 'problem' in hr;
        return 'email' in hr && hr.email === http.data && emailSchema.parse(http.data) === http.data && normalizeEmail(raw) === http.data;
      }),
      { numRuns: 3_000 },
    );
  });

  it('a capital letter with a combining mark and its precomposed lower case are one address', () => {
    expect(normalizeEmail('T\u0308om@corp.example')).toBe('\u1e97om@corp.example');
    expect(normalizeEmail('\u1e97om@corp.example')).toBe('\u1e97om@corp.example');
    expect(emailSchema.parse('T\u0308om@corp.example')).toBe(emailSchema.parse('\u1e97om@corp.example'));
  });

  it.each([
    ['jose@b\u00fccher.example', 'jose@xn--bcher-kva.example'],
    ['jose@xn--bcher-kva.example', 'jose@xn--bcher-kva.example'],
    ['JOSE@XN--BCHER-KVA.EXAMPLE', 'jose@xn--bcher-kva.example'],
    ['jose@\uff43\uff4f\uff52\uff50.example', 'jose@corp.example'],
    ['jos\u00e9@m\u00fcller.de', 'jos\u00e9@xn--mller-kva.de'],
  ])('compares the domain in its IDNA ASCII form: %j is %j', (raw, normal) => {
    expect(normalizeEmail(raw)).toBe(normal);
    expect(emailProblem(raw)).toBeUndefined();
  });

  it.each([
    ['jose@xn--zz.example', 'has an invalid domain'],
    ['jose@a\u200db.example', 'contains invisible, control or space characters'],
    ['jose@co\u00adrp.example', 'contains invisible, control or space characters'],
    ['jose@127.0.0.1', 'has an invalid domain'],
    ['jose@corp.example.', 'has an invalid domain'],
  ])('refuses what UTS #46 refuses or would silently change: %j', (raw, reason) => {
    expect(emailProblem(raw)).toBe(reason);
  });

  it.each(
    [
      '\u034f',
      '\u115f',
      '\u1160',
      '\u3164',
      '\uffa0',
      '\u2800',
      '\u180b',
      '\u180c',
      '\u180d',
      '\u180e',
      '\u180f',
      '\ufe00',
      '\ufe0f',
      '\u{e0100}',
      '\u{e01ef}',
      '\u00a0',
      '\u2060',
      '\u00ad',
    ].map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, c] as const),
  )('refuses an address hiding %s (renders as jose@corp.example)', (_name, c) => {
    expect(emailProblem(`jo${c}se@corp.example`)).toBe('contains invisible, control or space characters');
    expect(emailSchema.safeParse(`jose${c}@corp.example`).success).toBe(false);
  });
});

describe('free text refuses what does not render as itself', () => {
  it.each([
    ['a line break', 'Jane\nDoe'],
    ['a carriage return', 'Jane\rDoe'],
    ['a tab', 'Jane\tDoe'],
    ['a bidi override', 'Jane\u202eeoD'],
    ['a bidi isolate', 'Jane\u2066Doe'],
    ['a zero-width space', 'Sales\u200bTeam'],
    ['a no-break space', 'Sales\u00a0Team'],
    ['an ideographic space', 'Sales\u3000Team'],
    ['a Hangul filler', '\u3164'],
    ['a blank braille pattern', 'Jane\u2800'],
    ['a variation selector', 'Jane\ufe0f'],
  ])('refuses %s', (_what, text) => {
    expect(textProblem(text)).toBeDefined();
  });

  it.each(['Jane Doe', 'Jos\u00e9 Garc\u00eda-L\u00f3pez', '\u5c71\u7530 \u592a\u90ce', "O'Brien", 'Zo\u00eb \ud83d\ude00'])('accepts %j', (text) => {
    expect(textProblem(text)).toBeUndefined();
  });

  it('workgroup names compare by NFKC, case and runs of spaces', () => {
    expect(normalizeWorkgroupName('  \uff33\uff21\uff2c\uff25\uff33   Team ')).toBe(normalizeWorkgroupName('sales team'));
    fc.assert(
      fc.property(unicodeText, (raw) => normalizeWorkgroupName(normalizeWorkgroupName(raw)) === normalizeWorkgroupName(raw)),
      { numRuns: 3_000 },
    );
  });
});
