import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from './items';
import { Forbidden } from '../domain/errors';
import type { User, UserStatus, UserType } from '../domain/user';
import type { TxOp } from './transaction';
import type { TableRef } from './client';
import { retentionStart } from '../domain/cleanup';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import { index } from './table-definition';

/** A user item, the directory-wide admin counter and the user indexes. */
export const userKeys = {
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' }),
  /** How many users are active admins: the guard that keeps at least one (rule 10). */
  activeAdmins: () => ({ pk: 'DIRECTORY', sk: 'ACTIVE_ADMINS' }),
  usersByStatus: (status: string, type?: string) => ({ gsi1pk: `STATUS#${status}`, gsi1skPrefix: type ? `${type}#` : '' }),
  usersByType: (type?: string) => ({ gsi2pk: 'USERS', gsi2skPrefix: type ? `${type}#` : '' }),
};

export const LIFECYCLE = { dismissalDue: 'DISMISSAL_DUE', dismissed: 'DISMISSED' } as const;

/** Index attributes a user item carries; recomputed on every write so they never go stale. */
export function userIndexAttributes(
  user: Pick<User, 'id' | 'type' | 'status'> & Partial<Pick<User, 'dismissedAt' | 'dismissalRecordedAt' | 'scheduledDismissal' | 'sweptAt'>>,
) {
  // A swept account has nothing left to clean up: it leaves the index. Retention counts from
  // retentionStart, so a back-dated dismissal waits its full retention too.
  const retention = retentionStart({ dismissedAt: user.dismissedAt ?? null, dismissalRecordedAt: user.dismissalRecordedAt ?? null });
  const lifecycle =
    user.status === 'dismissed' && retention && !user.sweptAt
      ? { gsi4pk: LIFECYCLE.dismissed, gsi4sk: `${retention}#${user.id}` }
      : user.status !== 'dismissed' && user.scheduledDismissal
        ? { gsi4pk: LIFECYCLE.dismissalDue, gsi4sk: `${user.scheduledDismissal.effectiveAt}#${user.id}` }
        : {};
  return {
    gsi1pk: `STATUS#${user.status}`,
    gsi1sk: `${user.type}#${user.id}`,
    gsi2pk: 'USERS',
    gsi2sk: `${user.type}#${user.id}`,
    ...lifecycle,
  };
}

const USER_FIELDS = [
  'id',
  'type',
  'status',
  'loginEmail',
  'contactEmail',
  'firstName',
  'lastName',
  'isAdmin',
  'workgroupIds',
  'externalId',
  'createdAt',
  'updatedAt',
  'dismissedAt',
  'dismissalRecordedAt',
  'movedToUserId',
  'movedFromUserId',
  'handoverJobId',
  'scheduledDismissal',
  'lastHrEventAt',
  'lastHrDeliveryId',
  'legalHold',
  'sweptAt',
  'version',
] as const;

export function userToItem(user: User) {
  return { ...userKeys.user(user.id), entity: 'user', ...userIndexAttributes(user), ...user };
}

export function itemToUser(item: Record<string, unknown>): User {
  return Object.fromEntries(USER_FIELDS.map((field) => [field, item[field] ?? null])) as User;
}

/**
 * A transaction guard on a user item: `condition` must hold at commit time (`#status` names the
 * status attribute). The error gets the item as it was, or undefined when there is no such user.
 */
export function userGuard(
  userId: string,
  condition: string,
  values: Record<string, unknown>,
  onFailed: (old: Record<string, unknown> | undefined) => Error,
): TxOp {
  return {
    item: {
      ConditionCheck: {
        Key: userKeys.user(userId),
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed: onFailed,
  };
}

/** The acting user is, at commit time, an active admin. */
export function activeAdminGuard(actorId: string): TxOp {
  return userGuard(actorId, '#status = :active AND isAdmin = :true', { ':active': 'active', ':true': true }, () => new Forbidden());
}

/** Access pattern: one user by id (strongly consistent: it feeds conditional writes). */
export async function getUser(table: TableRef, id: string): Promise<User | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: userKeys.user(id), ConsistentRead: true }));
  return Item ? itemToUser(Item) : undefined;
}

/** Access pattern: several users by id in one request (e.g. the acting admin and the target). */
export async function getUsers(table: TableRef, ids: string[]): Promise<Map<string, User>> {
  const items = await batchGetItems(
    table,
    ids.map((id) => userKeys.user(id)),
  );
  return new Map([...items.values()].map((item) => [String(item.id), itemToUser(item)]));
}

export type UserListFilter = { status?: UserStatus | undefined; type?: UserType | undefined; limit: number; cursor?: string | undefined };

/**
 * Access pattern: list users, newest id last, filtered by status and/or type.
 * With a status: index usersByStatus (partition per status, sort key prefixed by type).
 * Without: index usersByType (one partition, sort key prefixed by type).
 */
export async function listUsers(table: TableRef, filter: UserListFilter): Promise<Page<User>> {
  const query = filter.status
    ? (() => {
        const { gsi1pk, gsi1skPrefix } = userKeys.usersByStatus(filter.status, filter.type);
        const { IndexName, partitionKey, sortKey } = index('usersByStatus');
        return { index: IndexName, pkName: partitionKey, skName: sortKey, pk: gsi1pk, prefix: gsi1skPrefix };
      })()
    : (() => {
        const { gsi2pk, gsi2skPrefix } = userKeys.usersByType(filter.type);
        const { IndexName, partitionKey, sortKey } = index('usersByType');
        return { index: IndexName, pkName: partitionKey, skName: sortKey, pk: gsi2pk, prefix: gsi2skPrefix };
      })();
  const startKey = decodeCursor(
    filter.cursor,
    ['pk', 'sk', query.pkName, query.skName],
    { [query.pkName]: query.pk },
    { name: query.skName, prefix: query.prefix },
  );
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: query.index,
      KeyConditionExpression: query.prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: query.prefix ? { '#pk': query.pkName, '#sk': query.skName } : { '#pk': query.pkName },
      ExpressionAttributeValues: query.prefix ? { ':pk': query.pk, ':prefix': query.prefix } : { ':pk': query.pk },
      Limit: filter.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (Items ?? []).map(itemToUser), nextCursor: encodeCursor(LastEvaluatedKey) };
}

/**
 * Access pattern: users whose lifecycle date (scheduled dismissal or dismissal) is at or before
 * a time, oldest first, on the sparse index usersByLifecycleDate: reads grow with what is due.
 */
export async function listUsersByLifecycleDate(
  table: TableRef,
  kind: keyof typeof LIFECYCLE,
  until: string,
  limit: number,
  cursor?: string,
): Promise<Page<User>> {
  const pk = LIFECYCLE[kind];
  const { IndexName, partitionKey, sortKey } = index('usersByLifecycleDate');
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName,
      // '~' sorts after the '#<id>' suffix, so every entry at exactly `until` is included.
      KeyConditionExpression: '#pk = :pk AND #sk <= :until',
      ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
      ExpressionAttributeValues: { ':pk': pk, ':until': `${until}#~` },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk', partitionKey, sortKey], { [partitionKey]: pk }),
    }),
  );
  return { items: (Items ?? []).map(itemToUser), nextCursor: encodeCursor(LastEvaluatedKey) };
}

/**
 * Creates the active-admin counter of a directory that predates it, from a count of the active
 * admins (a one-off at start-up, before anyone else writes; a counter already there is left alone).
 */
export async function seedActiveAdminCount(table: TableRef): Promise<void> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: userKeys.activeAdmins(), ConsistentRead: true }));
  if (Item) return;
  const { gsi1pk } = userKeys.usersByStatus('active');
  const { IndexName, partitionKey } = index('usersByStatus');
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'isAdmin = :true',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pk': gsi1pk, ':true': true },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...userKeys.activeAdmins(), entity: 'counter', activeAdmins: count },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
