/**
 * What a person can read is what the directory stores: free text (names, titles, workgroup names,
 * ids from HR systems) and addresses refuse code points that render as nothing or as something
 * else. Refused, never stripped: a stored value is exactly what the admin sent.
 */

// Controls (line breaks included), format characters (zero-width, bidi overrides and isolates),
// surrogates, private use, line and paragraph separators, and every default-ignorable code point
// (variation selectors, the combining grapheme joiner, Hangul fillers, Mongolian selectors, ...).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
// Characters that print as blank space without being U+0020: every other Unicode space (no-break,
// ideographic, en/em, ...) and the blank braille pattern.
const BLANK = /(?! )[\p{White_Space}\u2800]/u;

/** Why a piece of free text is refused, or undefined when it may be stored. */
export function textProblem(text: string): string | undefined {
  if (INVISIBLE.test(text)) return 'contains invisible, control or line-break characters';
  if (BLANK.test(text)) return 'contains blank characters other than a plain space';
  return undefined;
}

/** Why an address is refused for invisible or blank code points (checked before any mapping). */
export function invisibleInAddress(address: string): boolean {
  return INVISIBLE.test(address) || BLANK.test(address) || address.includes(' ');
}

/** Lower-cases text until Unicode NFC and lower-casing agree: idempotent by construction. */
export function foldCase(text: string): string {
  // Lower-casing an NFC string can yield one that is not NFC (`T` + U+0308 lower-cases to `t` +
  // U+0308, whose NFC is U+1E97), so one pass of each is not idempotent. Repeat until a pass changes
  // nothing; no known input needs more than two.
  let current = text;
  for (let pass = 0; pass < 8; pass++) {
    const next = current.normalize('NFC').toLowerCase().normalize('NFC');
    if (next === current) return current;
    current = next;
  }
  return current;
}
