import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lib/data/keys';
import type { TableRef } from '../../lib/data/client';
import { newId } from '../../lib/data/ids';
import { itemToWork, openWorkDelta, workToItem } from '../../lib/data/work';
import type { WorkItem, WorkKind } from '../../lib/domain/work';

/**
 * Seeds open work for a user straight into the table (test fixture: thousands of items through
 * the API would only slow the suite). Alternates tasks and activities.
 */
export async function seedOpenWork(table: TableRef, responsibleId: string, count: number): Promise<WorkItem[]> {
  const at = new Date().toISOString();
  const items = Array.from(
    { length: count },
    (_, i): WorkItem => ({
      id: newId(),
      kind: (i % 2 === 0 ? 'task' : 'activity') as WorkKind,
      title: `Work ${i}`,
      responsibleId,
      state: 'open',
      createdAt: at,
      updatedAt: at,
    }),
  );
  const batches: WorkItem[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: Record<string, unknown>[] | undefined = batch.map((item) => ({ PutRequest: { Item: workToItem(item) } }));
        while (pending && pending.length > 0) {
          const result = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending as never } }));
          pending = result.UnprocessedItems?.[table.name] as Record<string, unknown>[] | undefined;
        }
      }),
    );
  }
  const tasks = items.filter((item) => item.kind === 'task').length;
  await moveOpenWorkCount(table, responsibleId, { task: tasks, activity: count - tasks });
  return items;
}

/** What every real change to work does with it: moves the owner's open-work count. */
export async function moveOpenWorkCount(table: TableRef, userId: string, delta: { task?: number; activity?: number }): Promise<void> {
  const update = openWorkDelta(userId, delta).item.Update!;
  await table.client.send(new UpdateCommand({ ...update, TableName: table.name }));
}

/** A task or activity as stored (tests read items the product only reads in bulk). */
export async function getWork(table: TableRef, id: string): Promise<WorkItem | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.work(id), ConsistentRead: true }));
  return Item ? itemToWork(Item) : undefined;
}
