import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listUsersQuerySchema } from '../../../lib/domain/commands';
import { listedAt, searchFold, searchQueryTerm, searchTerms } from '../../../lib/domain/search';
import { aUser } from '../../support/domain';

describe('finding people: folding names and addresses', () => {
  it.each([
    ['José', 'jose'],
    ['ÉLODIE', 'elodie'],
    ['Łukasz', 'lukasz'],
    ['Straße', 'strasse'],
    ['Søren Ærø', 'soren aero'],
    ['Ｊｏｓé', 'jose'],
    ['Zoë  van   Dijk', 'zoe van dijk'],
    ['T\u0308om', 'tom'],
    ['\u1e97om', 'tom'],
  ])('%s folds to %s', (text, folded) => {
    expect(searchFold(text)).toBe(folded);
  });

  it.each([
    ['Οδυσσέας', 'ΟΔΥΣ'],
    ['Κωστας', 'ΚΩΣ'],
    ['김민수', '기'],
    ['김민수', 'ㄱ'],
    ['O’Brien', "o'b"],
    ['Émile Zola', 'EMILE Z'],
  ])('the start of %s, typed as %s, finds it', (name, typed) => {
    expect(searchFold(name).startsWith(searchQueryTerm(typed))).toBe(true);
  });

  it('a query that grows when folded is cut to the length of a stored term', () => {
    const query = '\ufdfa'.repeat(100);
    expect(searchFold(query).length).toBeGreaterThan(1000);
    expect(Array.from(searchQueryTerm(query))).toHaveLength(200);
    const user = aUser({ firstName: query.slice(0, 50) });
    expect(Array.from(searchTerms(user).firstName!)).toHaveLength(200);
  });

  it('folding is idempotent, so a folded query finds what the raw one finds', () => {
    const marked = fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('\u0308', '\u0301', 'ß', 'Ł', 'İ', 'ﬃ', 'Ｔ')), { maxLength: 8 });
    fc.assert(
      fc.property(marked, (parts) => {
        const folded = searchFold(parts.join(''));
        expect(searchFold(folded)).toBe(folded);
      }),
      { numRuns: 2000 },
    );
  });

  it('a user is found by first name, last name, full name and both addresses; an anonymised account by nothing', () => {
    const user = aUser({ firstName: 'Émile', lastName: 'Zola', loginEmail: 'ez@corp.example', contactEmail: 'emile@home.example' });
    expect(searchTerms(user)).toEqual({
      firstName: 'emile',
      lastName: 'zola',
      fullName: 'emile zola',
      loginEmail: 'ez@corp.example',
      contactEmail: 'emile@home.example',
    });
    expect(searchTerms({ ...user, contactEmail: null })).not.toHaveProperty('contactEmail');
    expect(searchTerms({ ...user, sweptAt: '2026-01-01T00:00:00.000Z' })).toEqual({});
  });

  it.each([
    ['em', { field: 'firstName', term: 'emile' }],
    ['emile ', { field: 'firstName', term: 'emile' }],
    ['emile@', { field: 'contactEmail', term: 'emile@home.example' }],
    ['emile z', { field: 'fullName', term: 'emile zola' }],
    ['zo', { field: 'lastName', term: 'zola' }],
    ['ez', { field: 'loginEmail', term: 'ez@corp.example' }],
    ['x', undefined],
  ])('for %j the user is listed once, at the first matching term in index order', (query, at) => {
    const user = aUser({ firstName: 'Émile', lastName: 'Zola', loginEmail: 'ez@corp.example', contactEmail: 'emile@home.example' });
    expect(listedAt(user, searchFold(query))).toEqual(at);
  });

  it('two fields with the same term list the user at the first field', () => {
    expect(listedAt(aUser({ firstName: 'Lee', lastName: 'Lee' }), 'le')).toEqual({ field: 'firstName', term: 'lee' });
  });
});

describe('list and search query parameters', () => {
  it.each([
    [{}, { limit: 50 }],
    [{ limit: '' }, { limit: 50 }],
    [{ q: '' }, { limit: 50 }],
    [{ q: '   ' }, { limit: 50 }],
    [{ limit: ' 5 ' }, { limit: 5 }],
    [
      { limit: '7', q: 'Ann' },
      { limit: 7, q: 'Ann' },
    ],
  ])('%j reads as %j', (query, parsed) => {
    expect(listUsersQuerySchema.parse(query)).toEqual(parsed);
  });

  it.each([
    [{ limit: 'abc' }, 'limit', 'must be a whole number'],
    [{ limit: '1.5' }, 'limit', 'must be a whole number'],
    [{ limit: '0' }, 'limit', 'must be at least 1'],
    [{ limit: '101' }, 'limit', 'must be at most 100'],
    [{ limit: '99999999999999999999' }, 'limit', 'must be at most 100'],
    [{ limit: '-99999999999999999999' }, 'limit', 'must be at least 1'],
    [{ limit: '\u202f5' }, 'limit', 'must be a whole number'],
    [{ q: '\u0301' }, 'q', 'must contain a letter, digit or symbol to search for'],
    [{ q: 'a\u202eb' }, 'q', 'contains invisible, control or line-break characters'],
    [{ q: 'x'.repeat(101) }, 'q', 'Too big: expected string to have <=100 characters'],
  ])('%j is refused at %s: %s', (query, path, message) => {
    const result = listUsersQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([[path, message]]);
  });
});
