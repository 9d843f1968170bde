import { describe, expect, it } from 'vitest';
import { InvalidRequest } from '../../lib/domain/errors';
import { keys, userIndexAttributes } from '../../lib/data/keys';
import { decodeCursor, encodeCursor } from '../../lib/data/pagination';
import { createTableInput, tableDefinition } from '../../lib/data/table-definition';

describe('key builders', () => {
  it('give every address exactly one claim item', () => {
    expect(keys.emailClaim('jane@corp.example')).toEqual({ pk: 'EMAIL#jane@corp.example', sk: 'CLAIM' });
  });

  it('keep a user, their invitation and their audit trail in one partition', () => {
    const id = '01JD3ZK1X7Q8M2V5N4R6T9W0YB';
    expect(keys.user(id).pk).toBe(keys.invitation(id).pk);
    expect(keys.audit({ kind: 'user', id }, 'x').pk).toBe(keys.user(id).pk);
    expect(keys.audit({ kind: 'user', id }, 'x').sk.startsWith(keys.auditPrefix(id).skPrefix)).toBe(true);
  });

  it('index a user by status and by type, type-prefixed so one Query can filter both', () => {
    expect(userIndexAttributes({ id: 'U1', type: 'extranet', status: 'dismissed' })).toEqual({
      gsi1pk: 'STATUS#dismissed',
      gsi1sk: 'extranet#U1',
      gsi2pk: 'USERS',
      gsi2sk: 'extranet#U1',
    });
  });

  it('create the table with every index the definition names', () => {
    const input = createTableInput('t');
    expect(input.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(Object.keys(tableDefinition.indexes).sort());
  });
});

describe('cursors', () => {
  const key = { pk: 'USER#A', sk: 'AUDIT#B' };

  it('round-trip an opaque LastEvaluatedKey', () => {
    const cursor = encodeCursor(key)!;
    expect(cursor).not.toContain('USER#');
    expect(decodeCursor(cursor, ['pk', 'sk'], { pk: 'USER#A' })).toEqual(key);
  });

  it('are null at the end of a listing', () => {
    expect(encodeCursor(undefined)).toBeNull();
  });

  it.each([
    ['garbage', '%%%not-base64%%%'],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['an array', Buffer.from('[1,2]').toString('base64url')],
    ['missing attributes', encodeCursor({ pk: 'USER#A' })!],
    ['extra attributes', encodeCursor({ ...key, evil: 'x' })!],
    ['non-string values', encodeCursor({ pk: 'USER#A', sk: 5 })!],
    ["another partition's key", encodeCursor({ pk: 'USER#OTHER', sk: 'AUDIT#B' })!],
  ])('reject %s with invalid_request', (_, cursor) => {
    expect(() => decodeCursor(cursor, ['pk', 'sk'], { pk: 'USER#A' })).toThrow(InvalidRequest);
  });
});
