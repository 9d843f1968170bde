import { InvalidRequest } from '../domain/errors';

export type Page<T> = { items: T[]; nextCursor: string | null };
type Key = Record<string, string>;

/** Cursors are opaque to clients: base64url JSON of DynamoDB's LastEvaluatedKey. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : null;
}

/**
 * Decodes a cursor and checks it belongs to this query: exactly the expected key attributes, all
 * strings, and the same partition. A forged or foreign cursor is a 400, never a DynamoDB error.
 */
export function decodeCursor(cursor: string | undefined, expectedAttributes: string[], partition: Key): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new InvalidRequest([{ path: 'cursor', message: 'cursor is invalid for this query' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid();
  const entries = Object.entries(decoded);
  const names = entries.map(([name]) => name).sort();
  if (names.join() !== [...expectedAttributes].sort().join()) throw invalid();
  if (!entries.every(([, value]) => typeof value === 'string' && value.length > 0 && value.length <= 2048)) throw invalid();
  const key = decoded as Key;
  if (!Object.entries(partition).every(([name, value]) => key[name] === value)) throw invalid();
  return key;
}
