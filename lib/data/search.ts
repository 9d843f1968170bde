import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { listedAt, searchFields, searchTerms, type SearchField } from '../domain/search';
import type { User, UserStatus, UserType } from '../domain/user';
import type { TableRef } from './client';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import { index } from './table-definition';
import type { TxOp } from './transaction';
import { getUsers, listUsers } from './users';

/** Search-term items: one per user and term, in the user's partition, found through usersBySearchTerm. */
export const searchKeys = {
  searchTerm: (userId: string, field: SearchField) => ({ pk: `USER#${userId}`, sk: `SEARCH#${field}` }),
  termPartition: (foldedQuery: string) => `TERM#${Array.from(foldedQuery)[0]}`,
};

export function searchTermItem(userId: string, field: SearchField, term: string) {
  return { ...searchKeys.searchTerm(userId, field), entity: 'searchTerm', userId, field, gsi6pk: searchKeys.termPartition(term), gsi6sk: `${term}#${userId}` };
}

/**
 * The writes that keep a user's search terms current, for the commit step: a term that changed is
 * put (its item key is the user and field, so the put replaces it), one that is gone is deleted.
 * Unconditional: the user's own version guard in the same transaction orders concurrent changes.
 */
export function searchTermOps(befores: (User | null)[], afters: User[]): TxOp[] {
  return afters.flatMap((after, i) => {
    const was = befores[i] ? searchTerms(befores[i]) : {};
    const will = searchTerms(after);
    return searchFields.flatMap((field): TxOp[] => {
      const term = will[field];
      if (term === was[field]) return [];
      return term
        ? [{ item: { Put: { Item: searchTermItem(after.id, field, term) } } }]
        : [{ item: { Delete: { Key: searchKeys.searchTerm(after.id, field) } } }];
    });
  });
}

export type UserSearch = { foldedQuery: string; status?: UserStatus | undefined; type?: UserType | undefined; limit: number; cursor?: string | undefined };

/** Index queries one page may take when filters or stale entries leave too few users. */
const MAX_ROUNDS = 5;

/**
 * Access pattern: users with a term starting with the query, in term order, on the index
 * usersBySearchTerm (one Query per round, then one BatchGet of those users; never a Scan).
 * Each user is listed once, at the first of their matching terms (lib/domain/search.ts), and
 * checked against the user as stored, so an index entry that lags behind a rename finds nothing.
 * A page may hold fewer than `limit` users while `nextCursor` is not null: the status and type
 * filters apply to what the index returns.
 */
export async function searchUsers(table: TableRef, search: UserSearch): Promise<Page<User>> {
  const { IndexName, partitionKey, sortKey } = index('usersBySearchTerm');
  const partition = searchKeys.termPartition(search.foldedQuery);
  let startKey = decodeCursor(search.cursor, ['pk', 'sk', partitionKey, sortKey], { [partitionKey]: partition }, { name: sortKey, prefix: search.foldedQuery });
  const found: User[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wanted = search.limit - found.length;
    const { Items = [], LastEvaluatedKey } = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':prefix': search.foldedQuery },
        // A few more than needed: a user matching twice is listed once.
        Limit: wanted + 5,
        ExclusiveStartKey: startKey,
      }),
    );
    const users = await getUsers(
      table,
      Items.map((item) => String(item.userId)),
    );
    for (const item of Items) {
      const user = users.get(String(item.userId));
      const at = user && listedAt(user, search.foldedQuery);
      const listed = at !== undefined && at.field === item.field && `${at.term}#${user!.id}` === item.gsi6sk;
      if (listed && (!search.status || user!.status === search.status) && (!search.type || user!.type === search.type)) found.push(user!);
      if (found.length === search.limit) {
        const last = { pk: item.pk, sk: item.sk, [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] };
        const more = item !== Items[Items.length - 1] || LastEvaluatedKey !== undefined;
        return { items: found, nextCursor: more ? encodeCursor(last) : null };
      }
    }
    if (!LastEvaluatedKey) return { items: found, nextCursor: null };
    startKey = LastEvaluatedKey as Record<string, string>;
  }
  return { items: found, nextCursor: encodeCursor(startKey) };
}

/**
 * Indexes the search terms of users that predate search, once (at bootstrap, which an upgrade
 * runs again; a marker says it is done). Each term is put only where the user has none yet, so a
 * change committed meanwhile, whose own terms the commit step wrote, always wins over this copy.
 */
export async function indexSearchTermsOnce(table: TableRef): Promise<void> {
  const marker = { pk: 'DIRECTORY', sk: 'SEARCH_TERMS' };
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: marker, ConsistentRead: true }));
  if (Item) return;
  let cursor: string | undefined;
  do {
    const page = await listUsers(table, { limit: 100, cursor });
    const items = page.items.flatMap((user) => Object.entries(searchTerms(user)).map(([field, term]) => searchTermItem(user.id, field as SearchField, term)));
    for (let start = 0; start < items.length; start += 25) {
      await Promise.all(
        items.slice(start, start + 25).map((Item) =>
          table.client.send(new PutCommand({ TableName: table.name, Item, ConditionExpression: 'attribute_not_exists(pk)' })).catch((error: unknown) => {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }),
        ),
      );
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await table.client.send(new PutCommand({ TableName: table.name, Item: { ...marker, entity: 'marker', indexedAt: new Date().toISOString() } }));
}
