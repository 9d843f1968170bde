import { foldCase } from './text';
import type { User } from './user';

/**
 * Finding people (`GET /users?q=`): a user matches when the start of their first name, last
 * name, full name or either address matches the query, ignoring case and accents. Each of those
 * terms is indexed in its folded form; a swept account has nothing left to find.
 */

/** Bounded so an index key stays far below DynamoDB's 1 KiB (at most 4 bytes a code point); nobody types longer. */
const MAX_TERM = 200;

export const searchFields = ['firstName', 'lastName', 'fullName', 'loginEmail', 'contactEmail'] as const;
export type SearchField = (typeof searchFields)[number];

// Letters that carry their accent in the letter itself, so decomposition leaves them alone; the
// Greek final sigma (lower-casing makes a query's last Σ one, but inside a name it is σ); and
// typographic apostrophes, typed as the plain one.
const LETTERS: Record<string, string> = {
  ß: 'ss',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ς: 'σ',
  '\u2019': "'",
  '\u2018': "'",
  '\u02bc': "'",
};
const LETTER = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'gu');

/**
 * The form terms and queries are compared in: compatibility-decomposed, marks removed, case
 * folded, accented letters without a decomposition spelled plainly, runs of spaces as one, and
 * decomposed again at the end so the start of a Hangul syllable (기, ㄱ) is a prefix of the
 * syllable (김). Idempotent, so a folded query folds to itself.
 */
export function searchFold(text: string): string {
  const unmarked = foldCase(text.normalize('NFKD').replace(/\p{M}/gu, ''));
  return unmarked
    .replace(LETTER, (letter) => LETTERS[letter]!)
    .normalize('NFKD')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** A query as the index compares it: folded, and no longer than a stored term can be. */
export function searchQueryTerm(query: string): string {
  return bounded(searchFold(query));
}

function bounded(term: string): string {
  return Array.from(term).slice(0, MAX_TERM).join('');
}

/** The terms a user is found by, folded; none for an anonymised account. */
export function searchTerms(user: User): Partial<Record<SearchField, string>> {
  if (user.sweptAt) return {};
  const raw: Record<SearchField, string | null> = {
    firstName: user.firstName,
    lastName: user.lastName,
    fullName: `${user.firstName} ${user.lastName}`,
    loginEmail: user.loginEmail,
    contactEmail: user.contactEmail,
  };
  const terms: Partial<Record<SearchField, string>> = {};
  for (const field of searchFields) {
    // Bounded so an index key stays far below DynamoDB's 1 KiB: longer queries are not typed.
    const term = raw[field] === null ? '' : bounded(searchFold(raw[field]));
    if (term) terms[field] = term;
  }
  return terms;
}

/**
 * Where a user is listed for a query: at the first (in index order) of their terms that starts
 * with it, so a user whose first and last name both match appears once, and a page boundary can
 * never list them twice. Undefined when nothing matches (e.g. the index entry is stale).
 */
export function listedAt(user: User, foldedQuery: string): { field: SearchField; term: string } | undefined {
  let best: { field: SearchField; term: string } | undefined;
  const terms = searchTerms(user);
  for (const field of searchFields) {
    const term = terms[field];
    if (term?.startsWith(foldedQuery) && (!best || term < best.term)) best = { field, term };
  }
  return best;
}
