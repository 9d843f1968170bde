import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { User } from '../domain/user';
import type { WorkItem, WorkKind, WorkState } from '../domain/work';
import type { TableRef } from './client';
import { batchGetItems, itemId } from './items';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import { index } from './table-definition';
import type { TxOp } from './transaction';
import { itemToUser, userKeys } from './users';

/** Tasks and CRM activities, their owners' open-work counts and the index by owner. */
export const workKeys = {
  work: (id: string) => ({ pk: `WORK#${id}`, sk: 'WORK' }),
  /**
   * How many open tasks and activities a user holds, moved in the transaction of every change to
   * their work: unlike the workByResponsible index, it is never behind.
   */
  openWork: (userId: string) => ({ pk: `USER#${userId}`, sk: 'OPEN_WORK' }),
  /** The open (or closed) work of one user, optionally of one kind, on index workByResponsible. */
  workByResponsible: (userId: string, state: string, kind?: string) => ({ gsi3pk: `RESP#${userId}`, gsi3skPrefix: `${state}#${kind ? `${kind}#` : ''}` }),
};

/** Index attributes a work item carries: who is responsible, in which state. */
export function workIndexAttributes(work: { id: string; kind: string; state: string; responsibleId: string }) {
  return { gsi3pk: `RESP#${work.responsibleId}`, gsi3sk: `${work.state}#${work.kind}#${work.id}` };
}

export function workToItem(work: WorkItem) {
  return { ...workKeys.work(work.id), entity: 'work', ...workIndexAttributes(work), ...work };
}

export function itemToWork(item: Record<string, unknown>): WorkItem {
  return {
    id: String(item.id),
    kind: item.kind as WorkKind,
    title: String(item.title),
    responsibleId: String(item.responsibleId),
    state: item.state as WorkState,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

/** Moves a user's open-work counts by some tasks and activities (see workKeys.openWork). */
export function openWorkDelta(userId: string, delta: { task?: number; activity?: number }): TxOp {
  return {
    item: {
      Update: {
        Key: workKeys.openWork(userId),
        UpdateExpression: 'ADD task :task, activity :activity SET entity = :entity',
        ExpressionAttributeValues: { ':task': delta.task ?? 0, ':activity': delta.activity ?? 0, ':entity': 'openWork' },
      },
    },
  };
}

/** A user's open-work counts as committed (strongly consistent, unlike the index). */
export async function getOpenWorkCount(table: TableRef, userId: string): Promise<number> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: workKeys.openWork(userId), ConsistentRead: true }));
  return Number(Item?.task ?? 0) + Number(Item?.activity ?? 0);
}

/** Access pattern: the acting user and a work item, in one request. */
export async function getUserAndWork(table: TableRef, userId: string, workId: string): Promise<{ actor?: User; work?: WorkItem }> {
  const items = await batchGetItems(table, [userKeys.user(userId), workKeys.work(workId)]);
  const actor = items.get(itemId(userKeys.user(userId)));
  const work = items.get(itemId(workKeys.work(workId)));
  return { ...(actor ? { actor: itemToUser(actor) } : {}), ...(work ? { work: itemToWork(work) } : {}) };
}

export type WorkQuery = { userId: string; kind?: WorkKind | undefined; state: WorkState; limit: number; cursor?: string | undefined };

/** Access pattern: a user's work in one state (optionally one kind), on index workByResponsible. */
export async function listWorkByResponsible(table: TableRef, query: WorkQuery): Promise<Page<WorkItem>> {
  const { gsi3pk, gsi3skPrefix } = workKeys.workByResponsible(query.userId, query.state, query.kind);
  const { IndexName, partitionKey, sortKey } = index('workByResponsible');
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
      ExpressionAttributeValues: { ':pk': gsi3pk, ':prefix': gsi3skPrefix },
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, ['pk', 'sk', partitionKey, sortKey], { [partitionKey]: gsi3pk }, { name: sortKey, prefix: gsi3skPrefix }),
    }),
  );
  return { items: (Items ?? []).map(itemToWork), nextCursor: encodeCursor(LastEvaluatedKey) };
}

/** Access pattern: how many open items of a kind a user has (a COUNT Query on the index). */
export async function countOpenWork(table: TableRef, userId: string, kind: WorkKind): Promise<number> {
  const { gsi3pk, gsi3skPrefix } = workKeys.workByResponsible(userId, 'open', kind);
  const { IndexName, partitionKey, sortKey } = index('workByResponsible');
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': gsi3pk, ':prefix': gsi3skPrefix },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}
