import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidRequest, InvalidState } from '../domain/errors';
import type { WorkItem, WorkKind, WorkState } from '../domain/work';
import type { TableRef } from './client';
import { newId } from './ids';
import { keys, workIndexAttributes } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import { StaleWrite, transactWrite, type TxOp } from './transaction';
import { activeAdminGuard, userGuard } from './users';

export function workToItem(work: WorkItem) {
  return { ...keys.work(work.id), entity: 'work', ...workIndexAttributes(work), ...work };
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

/** Moves a user's open-work counts by some tasks and activities (see keys.openWork). */
export function openWorkDelta(userId: string, delta: { task?: number; activity?: number }): TxOp {
  return {
    item: {
      Update: {
        Key: keys.openWork(userId),
        UpdateExpression: 'ADD task :task, activity :activity SET entity = :entity',
        ExpressionAttributeValues: { ':task': delta.task ?? 0, ':activity': delta.activity ?? 0, ':entity': 'openWork' },
      },
    },
  };
}

/** A user's open-work counts as committed (strongly consistent, unlike the index). */
export async function getOpenWorkCount(table: TableRef, userId: string): Promise<number> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.openWork(userId), ConsistentRead: true }));
  return Number(Item?.task ?? 0) + Number(Item?.activity ?? 0);
}

function workAuditPut(workId: string, actorId: string, action: string, after: Record<string, unknown>, at: string): TxOp {
  const id = newId();
  return { item: { Put: { Item: { ...keys.workAudit(workId, id), entity: 'audit', id, workId, actorId, action, before: null, after, at } } } };
}

/**
 * Creates a task or activity in one transaction: the actor is an active admin, the responsible
 * user exists and is not dismissed (work handed to a leaver would be orphaned at birth), the item,
 * their open-work count, and its audit entry. The check on the responsible user conflicts with a
 * dismissal committing at the same moment, so work either lands before the dismissal (and its
 * handover takes it) or is refused.
 */
export async function insertWork(table: TableRef, work: WorkItem, actorId: string): Promise<void> {
  // An admin assigning work to themselves is covered by their own guard (active, so not dismissed);
  // DynamoDB refuses two checks on one item in a transaction.
  const responsibleGuard: TxOp[] =
    work.responsibleId === actorId
      ? []
      : [
          userGuard(work.responsibleId, 'attribute_exists(pk) AND #status <> :dismissed', { ':dismissed': 'dismissed' }, (old) =>
            old
              ? new InvalidState(`User ${work.responsibleId} is dismissed; assign the work to a current user`)
              : new InvalidRequest([{ path: 'body.responsibleId', message: `user ${work.responsibleId} does not exist` }]),
          ),
        ];
  await transactWrite(table, [
    activeAdminGuard(actorId),
    ...responsibleGuard,
    { item: { Put: { Item: workToItem(work), ConditionExpression: 'attribute_not_exists(pk)' } } },
    openWorkDelta(work.responsibleId, { [work.kind]: 1 }),
    workAuditPut(work.id, actorId, `${work.kind}.created`, { title: work.title, responsibleId: work.responsibleId }, work.createdAt),
  ]);
}

/** Access pattern: one task or activity by id. */
export async function getWork(table: TableRef, id: string): Promise<WorkItem | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.work(id), ConsistentRead: true }));
  return Item ? itemToWork(Item) : undefined;
}

/**
 * Closes open work: conditioned on still being open and still with the responsible user we read
 * (whose open-work count it lowers), with its audit entry. Handed over meanwhile: StaleWrite.
 */
export async function closeWorkItem(table: TableRef, work: WorkItem, actorId: string, at: string): Promise<WorkItem> {
  const closed: WorkItem = { ...work, state: 'closed', updatedAt: at };
  await transactWrite(table, [
    activeAdminGuard(actorId),
    {
      item: {
        Update: {
          Key: keys.work(work.id),
          UpdateExpression: 'SET #state = :closed, gsi3sk = :sk, updatedAt = :at',
          ConditionExpression: '#state = :open AND responsibleId = :responsible',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':closed': 'closed', ':open': 'open', ':responsible': work.responsibleId, ':sk': workIndexAttributes(closed).gsi3sk, ':at': at },
        },
      },
      onConditionFailed: (old) => (old?.state === 'open' ? new StaleWrite(`${work.kind} ${work.id}`) : new InvalidState(`${work.kind} ${work.id} is already closed`)),
    },
    openWorkDelta(work.responsibleId, { [work.kind]: -1 }),
    workAuditPut(work.id, actorId, `${work.kind}.closed`, { state: 'closed' }, at),
  ]);
  return closed;
}

export type WorkQuery = { userId: string; kind?: WorkKind | undefined; state: WorkState; limit: number; cursor?: string | undefined };

/** Access pattern: a user's work in one state (optionally one kind), on index workByResponsible. */
export async function listWorkByResponsible(table: TableRef, query: WorkQuery): Promise<Page<WorkItem>> {
  const { gsi3pk, gsi3skPrefix } = keys.workByResponsible(query.userId, query.state, query.kind);
  const { Items, LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'workByResponsible',
      KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :prefix)',
      ExpressionAttributeValues: { ':pk': gsi3pk, ':prefix': gsi3skPrefix },
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, ['pk', 'sk', 'gsi3pk', 'gsi3sk'], { gsi3pk }, { name: 'gsi3sk', prefix: gsi3skPrefix }),
    }),
  );
  return { items: (Items ?? []).map(itemToWork), nextCursor: encodeCursor(LastEvaluatedKey) };
}

/** Access pattern: how many open items of a kind a user has (a COUNT Query on the index). */
export async function countOpenWork(table: TableRef, userId: string, kind: WorkKind): Promise<number> {
  const { gsi3pk, gsi3skPrefix } = keys.workByResponsible(userId, 'open', kind);
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'workByResponsible',
        KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :prefix)',
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
