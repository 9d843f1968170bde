import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TableRef } from '../../lib/data/client';
import { newId } from '../../lib/data/ids';
import { keys } from '../../lib/data/keys';
import { outboxPut, queueFollowUp } from '../../lib/data/outbox';
import { outboxIdOf } from '../../lib/data/outbox-item';
import { transactWrite } from '../../lib/data/transaction';
import { InProcessQueue, type EnqueueOptions } from '../../lib/jobs/in-process-queue';
import type { OutboxMessage } from '../../lib/jobs/queue';
import { findUnfinishedWork, markOutboxHandled, resumeUnfinishedWork } from '../../lib/local/recovery';
import { createTestTable, itemsWithPrefix } from '../support/db';

/** The pieces of the local runtime's crash recovery (the whole of it: test/http/crash-recovery.test.ts). */

let table: TableRef;
beforeEach(async () => {
  table = await createTestTable();
});

const handover = (jobId: string): OutboxMessage => ({ type: 'handover', jobId });

async function putJob(id: string, status: string) {
  await table.client.send(new PutCommand({ TableName: table.name, Item: { ...keys.job(id), entity: 'job', id, type: 'handover', status } }));
}

describe('the local relay', () => {
  it('is handed the id of each outbox item with its message, from a transaction and from a lone enqueue', async () => {
    const relayed: { messages: OutboxMessage[]; ids: string[] }[] = [];
    const relaying = { ...table, relay: (messages: OutboxMessage[], ids: string[]) => void relayed.push({ messages, ids }) };
    await transactWrite(relaying, [outboxPut(handover('J1'), new Date()), outboxPut(handover('J2'), new Date())]);
    await queueFollowUp(relaying, handover('J3'), new Date());

    const stored = new Map((await itemsWithPrefix(table, 'OUTBOX#')).map((item) => [outboxIdOf(item.pk as string), item.message]));
    expect(relayed.map((r) => r.messages)).toEqual([[handover('J1'), handover('J2')], [handover('J3')]]);
    for (const { messages, ids } of relayed) expect(ids.map((id) => stored.get(id))).toEqual(messages);
  });

  it('the in-process queue calls onHandled after a message ran, and never for one that failed every attempt', async () => {
    const handled: string[] = [];
    const queue = new InProcessQueue(2).attach(async (message) => {
      if (message.type === 'handover' && message.jobId === 'BROKEN') throw new Error('always fails');
    });
    for (const jobId of ['OK', 'BROKEN']) await queue.enqueue(handover(jobId), { onHandled: async () => void handled.push(jobId) });
    await queue.idle();
    expect(handled).toEqual(['OK']);
  });
});

describe('resuming unfinished work at start', () => {
  it('finds outbox items not marked handled and jobs still pending or running, nothing else', async () => {
    const ids: string[] = [];
    const relaying = { ...table, relay: (_: OutboxMessage[], outboxIds: string[]) => void ids.push(...outboxIds) };
    await queueFollowUp(relaying, handover('DONE'), new Date('2026-01-01T00:00:00Z'));
    await queueFollowUp(relaying, handover('OPEN'), new Date('2026-01-01T00:00:01Z'));
    await queueFollowUp(relaying, { type: 'mail', kind: 'invitation', userId: 'U', requestId: 'R' }, new Date('2026-01-01T00:00:00.500Z'));
    await markOutboxHandled(table, ids[0]!, new Date());
    // An item that is gone (expired) is not recreated by marking it.
    await markOutboxHandled(table, newId(), new Date());
    await Promise.all([putJob('P', 'pending'), putJob('R', 'running'), putJob('C', 'completed'), putJob('F', 'failed')]);

    const found = await findUnfinishedWork(table);
    expect(found.outbox.map((entry) => entry.message)).toEqual([{ type: 'mail', kind: 'invitation', userId: 'U', requestId: 'R' }, handover('OPEN')]);
    expect(found.jobIds.sort()).toEqual(['P', 'R']);
    expect(await itemsWithPrefix(table, 'OUTBOX#')).toHaveLength(3);
  });

  it('queues each piece of work once, marks every duplicate item with it, and leaves unmarked what did not run', async () => {
    const ids: string[] = [];
    const relaying = { ...table, relay: (_: OutboxMessage[], outboxIds: string[]) => void ids.push(...outboxIds) };
    // Job A was queued twice (a redelivery), and is pending; job B has no message left; C fails every run.
    await queueFollowUp(relaying, handover('A'), new Date());
    await queueFollowUp(relaying, handover('A'), new Date());
    await queueFollowUp(relaying, handover('C'), new Date());
    await Promise.all([putJob('A', 'pending'), putJob('B', 'running'), putJob('C', 'running')]);

    const queued: { message: OutboxMessage; options: EnqueueOptions | undefined }[] = [];
    const resumed = await resumeUnfinishedWork(table, (message, options) => void queued.push({ message, options }));
    expect(resumed).toEqual({ messages: 2, jobs: 1 });
    expect(queued.map((q) => q.message)).toEqual(expect.arrayContaining([handover('A'), handover('B'), handover('C')]));
    expect(queued).toHaveLength(3);

    // A ran; C did not (onHandled is not called); B had no outbox item.
    await queued.find((q) => q.message.type === 'handover' && q.message.jobId === 'A')!.options!.onHandled!();
    expect(queued.find((q) => q.message.type === 'handover' && q.message.jobId === 'B')!.options?.onHandled).toBeUndefined();
    const left = await findUnfinishedWork(table);
    expect(left.outbox.map((entry) => entry.message)).toEqual([handover('C')]);
  });
});
