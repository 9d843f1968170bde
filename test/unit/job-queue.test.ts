import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../lib/jobs/in-process-queue';
import { mailMessageSchema, type OutboxMessage } from '../../lib/jobs/queue';
import { mailMessageParser } from '../../lib/jobs/mail-message';
import { relayOutbox } from '../../lib/jobs/relay';
import { SqsBatchQueue } from '../../lib/jobs/sqs-queue';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs';
const sqsClient = () => new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

describe('SQS batch queue adapter', () => {
  it('sends the messages in one batch to the configured queue and reports the refused ones by index', async () => {
    const client = sqsClient();
    const sqs = mockClient(client);
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });

    const refused = await new SqsBatchQueue(client, QUEUE_URL).enqueueBatch([
      { type: 'handover', jobId: 'JOB1' },
      { type: 'hrDelivery', provider: 'standard', deliveryId: 'D1' },
    ]);

    expect(refused).toEqual([1]);
    const [call] = sqs.commandCalls(SendMessageBatchCommand);
    expect(call!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: '0', MessageBody: '{"type":"handover","jobId":"JOB1"}' },
        { Id: '1', MessageBody: '{"type":"hrDelivery","provider":"standard","deliveryId":"D1"}' },
      ],
    });
  });
});

/** A stream record as Lambda delivers it (NEW_IMAGE view). */
const streamRecord = (sequence: string, image: Record<string, unknown>, eventName: 'INSERT' | 'MODIFY' = 'INSERT') =>
  ({ eventName, dynamodb: { SequenceNumber: sequence, NewImage: marshall(image) } }) as unknown as DynamoDBRecord;
const outboxItem = (id: string, message: unknown) => ({ pk: `OUTBOX#${id}`, sk: 'OUTBOX', entity: 'outbox', message });

describe('outbox relay', () => {
  const fakeQueue = (refuse: (batch: OutboxMessage[], call: number) => number[] | Error = () => []) => {
    const batches: OutboxMessage[][] = [];
    return {
      batches,
      enqueueBatch: async (messages: OutboxMessage[]) => {
        batches.push(messages);
        const outcome = refuse(messages, batches.length);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    };
  };

  it('queues new outbox items in stream order, in batches of ten, and skips everything else', async () => {
    const queue = fakeQueue();
    const records = [
      ...Array.from({ length: 12 }, (_, i) => streamRecord(String(100 + i), outboxItem(String(i), { type: 'handover', jobId: `J${i}` }))),
      streamRecord('200', { pk: 'USER#1', sk: 'PROFILE', entity: 'user' }),
      streamRecord('201', outboxItem('x', { type: 'handover', jobId: 'MODIFIED' }), 'MODIFY'),
    ];

    await expect(relayOutbox(records, { jobs: queue, mail: fakeQueue(), events: fakeQueue(), connectors: fakeQueue() })).resolves.toEqual({
      batchItemFailures: [],
    });

    expect(queue.batches.map((b) => b.length)).toEqual([10, 2]);
    expect(queue.batches.flat().map((m) => (m.type === 'handover' ? m.jobId : ''))).toEqual(Array.from({ length: 12 }, (_, i) => `J${i}`));
  });

  it('drops a malformed outbox item instead of blocking the stream behind it', async () => {
    const queue = fakeQueue();
    const result = await relayOutbox(
      [streamRecord('1', outboxItem('a', { type: 'nonsense' })), streamRecord('2', outboxItem('b', { type: 'handover', jobId: 'J' }))],
      { jobs: queue, mail: fakeQueue(), events: fakeQueue(), connectors: fakeQueue() },
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(queue.batches).toEqual([[{ type: 'handover', jobId: 'J' }]]);
  });

  it('reports the first refused message and every later one, so the stream retries from there and skips nothing', async () => {
    const records = Array.from({ length: 15 }, (_, i) => streamRecord(String(i), outboxItem(String(i), { type: 'handover', jobId: `J${i}` })));

    const partly = fakeQueue((_, call) => (call === 2 ? [1] : []));
    const refused = await relayOutbox(records, { jobs: partly, mail: fakeQueue(), events: fakeQueue(), connectors: fakeQueue() });
    expect(refused.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['11', '12', '13', '14']);

    const down = fakeQueue(() => new Error('SQS unavailable'));
    const failed = await relayOutbox(records, { jobs: down, mail: fakeQueue(), events: fakeQueue(), connectors: fakeQueue() });
    expect(failed.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((_, i) => String(i)));
    expect(down.batches).toHaveLength(1);
  });

  const mail = (userId: string) => ({ type: 'mail', kind: 'invitation', userId, requestId: `R-${userId}` }) as const;

  it('sends mail messages to the mail queue and jobs to the jobs queue, in stream order', async () => {
    const jobs = fakeQueue();
    const mails = fakeQueue();
    const messages = [
      mail('U1'),
      mail('U2'),
      { type: 'handover', jobId: 'J1' },
      mail('U3'),
      { type: 'hrDelivery', provider: 'standard', deliveryId: 'D1' },
    ] as const;

    await relayOutbox(
      messages.map((m, i) => streamRecord(String(i), outboxItem(String(i), m))),
      { jobs, mail: mails, events: fakeQueue(), connectors: fakeQueue() },
    );

    expect(mails.batches).toEqual([[mail('U1'), mail('U2')], [mail('U3')]]);
    expect(jobs.batches).toEqual([[{ type: 'handover', jobId: 'J1' }], [{ type: 'hrDelivery', provider: 'standard', deliveryId: 'D1' }]]);
  });

  it('stops at a refused mail batch and reports it and everything after it, whichever queue those were for', async () => {
    const jobs = fakeQueue();
    const mails = fakeQueue(() => new Error('SQS unavailable'));
    const messages = [{ type: 'handover', jobId: 'J1' }, mail('U1'), { type: 'handover', jobId: 'J2' }] as const;

    const result = await relayOutbox(
      messages.map((m, i) => streamRecord(String(i), outboxItem(String(i), m))),
      { jobs, mail: mails, events: fakeQueue(), connectors: fakeQueue() },
    );

    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1', '2']);
    expect(jobs.batches).toEqual([[{ type: 'handover', jobId: 'J1' }]]);
  });
});

describe('in-process job queue', () => {
  it('runs each job after the current request and retries a failed attempt', async () => {
    const attempts: string[] = [];
    const queue = new InProcessQueue(3).attach(async (message) => {
      attempts.push(message.type === 'handover' ? message.jobId : message.type);
      if (attempts.length === 1) throw new Error('transient');
    });
    await queue.enqueue({ type: 'handover', jobId: 'JOB1' });
    expect(attempts).toEqual([]);
    await queue.idle();
    expect(attempts).toEqual(['JOB1', 'JOB1']);
  });

  it('runs at most its concurrency at once, the rest in the order they came, a failed one freeing its turn', async () => {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const queue = new InProcessQueue(1, 3).attach(async (message) => {
      const id = message.type === 'handover' ? message.jobId : '';
      started.push(id);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (id === 'J2') throw new Error('fails for good');
    });
    for (let i = 1; i <= 10; i++) await queue.enqueue({ type: 'handover', jobId: `J${i}` });
    await queue.idle();
    expect(most).toBe(3);
    expect(started).toEqual(['J1', 'J2', 'J3', 'J4', 'J5', 'J6', 'J7', 'J8', 'J9', 'J10']);
  });

  it("a connector pair's turn already waiting in a full lane is not queued twice; the duplicate counts as handled", async () => {
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const handled: string[] = [];
    const queue = new InProcessQueue(1, 1).attach(async (message) => {
      if (message.type !== 'provision') return;
      ran.push(message.userId);
      sequences.push(message.sequence);
      if (message.userId === 'FIRST') await hanging;
    });
    const sequences: (number | undefined)[] = [];
    const provision = (userId: string, tag: string, sequence?: number) =>
      queue.enqueue({ type: 'provision', connectorId: 'C', userId, sequence }, { onHandled: async () => void handled.push(tag) });
    await provision('FIRST', 'first');
    await expect.poll(() => ran).toEqual(['FIRST']);
    for (const [tag, sequence] of [
      ['a', 3],
      ['b', 5],
      ['c', 4],
    ] as const)
      await provision('U1', tag, sequence);
    await provision('U2', 'other');
    await expect.poll(() => handled).toEqual(['b', 'c']);
    release();
    await queue.idle();
    expect(ran).toEqual(['FIRST', 'U1', 'U2']);
    // The turn that ran reaches as far as the latest of its duplicates.
    expect(sequences).toEqual([undefined, 5, undefined]);
    expect(handled).toEqual(['b', 'c', 'first', 'a', 'other']);
  });

  it("runs one subscription's deliveries as batches, one at a time: what came while a batch ran is the next batch, in order; each message is handled with its batch", async () => {
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const batches: string[][] = [];
    const handled: string[] = [];
    const queue = new InProcessQueue(1, 8).attach(
      async () => {
        throw new Error('event-delivery messages run in batches');
      },
      async (messages) => {
        batches.push(messages.map((m) => (m.type === 'deliver' ? m.userId : m.type)));
        if (batches.length === 1) await hanging;
      },
    );
    const deliver = (userId: string) => queue.enqueue({ type: 'deliver', subscriptionId: 'S', userId }, { onHandled: async () => void handled.push(userId) });
    await deliver('U1');
    await deliver('U2');
    await expect.poll(() => batches).toEqual([['U1', 'U2']]);
    for (const userId of ['U3', 'U4', 'U5']) await deliver(userId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // One batch at a time per subscription: the next waits for the first.
    expect(batches).toHaveLength(1);
    expect(handled).toEqual([]);
    release();
    await queue.idle();
    expect(batches).toEqual([
      ['U1', 'U2'],
      ['U3', 'U4', 'U5'],
    ]);
    expect(handled).toEqual(['U1', 'U2', 'U3', 'U4', 'U5']);
  });

  it('runs a failed batch again whole, and marks none of it handled when every attempt failed', async () => {
    const attempts: string[][] = [];
    const handled: string[] = [];
    const queue = new InProcessQueue(2).attach(
      async () => undefined,
      async (messages) => {
        attempts.push(messages.map((m) => (m.type === 'deliver' ? m.userId : m.type)));
        throw new Error('DynamoDB is down');
      },
    );
    for (const userId of ['U1', 'U2'])
      await queue.enqueue({ type: 'deliver', subscriptionId: 'S', userId }, { onHandled: async () => void handled.push(userId) });
    await queue.idle();
    expect(attempts).toEqual([
      ['U1', 'U2'],
      ['U1', 'U2'],
    ]);
    expect(handled).toEqual([]);
  });

  it("a subscriber whose deliveries hang holds up only its own batches: another subscription's, the fan-out and other work run at once", async () => {
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const name = (message: OutboxMessage) => (message.type === 'deliver' ? `${message.subscriptionId}/${message.userId}` : message.type);
    const queue = new InProcessQueue(1, 2).attach(
      async (message) => void ran.push(name(message)),
      async (messages) => {
        if (messages.some((m) => m.type === 'deliver' && m.subscriptionId === 'SLOW')) await hanging;
        ran.push(...messages.map(name));
      },
    );
    await queue.enqueue({ type: 'deliver', subscriptionId: 'SLOW', userId: 'U0' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 1; i < 5; i++) await queue.enqueue({ type: 'deliver', subscriptionId: 'SLOW', userId: `U${i}` });
    await queue.enqueue({ type: 'deliver', subscriptionId: 'FAST', userId: 'U1' });
    await queue.enqueue({ type: 'events', userId: 'U1', eventType: 'user.dismissed', sequence: 3 });
    await queue.enqueue({ type: 'provision', connectorId: 'C1', userId: 'U1' });
    await queue.enqueue({ type: 'handover', jobId: 'J1' });
    await expect.poll(() => [...ran].sort()).toEqual(['FAST/U1', 'events', 'handover', 'provision']);
    release();
    await queue.idle();
    expect(ran.slice(4)).toEqual(['SLOW/U0', 'SLOW/U1', 'SLOW/U2', 'SLOW/U3', 'SLOW/U4']);
  });
});

describe('mail message parser of the mail worker', () => {
  it.each([
    ['a valid invitation', { type: 'mail', kind: 'invitation', userId: 'U1', requestId: 'R1' }],
    ['a valid login change, with an extra field', { type: 'mail', kind: 'loginChange', userId: 'U1', requestId: 'R1', extra: true }],
    ['another type', { type: 'handover', jobId: 'J', kind: 'invitation', userId: 'U1', requestId: 'R1' }],
    ['an unknown kind', { type: 'mail', kind: 'welcome', userId: 'U1', requestId: 'R1' }],
    ['an empty user id', { type: 'mail', kind: 'invitation', userId: '', requestId: 'R1' }],
    ['a numeric request id', { type: 'mail', kind: 'invitation', userId: 'U1', requestId: 7 }],
    ['no request id', { type: 'mail', kind: 'invitation', userId: 'U1' }],
    ['null', null],
    ['a string', 'mail'],
  ])('agrees with the schema the relay validated with: %s', (_, input) => {
    const expected = mailMessageSchema.safeParse(input);
    const actual = mailMessageParser.safeParse(input);
    expect(actual.success).toBe(expected.success);
    if (actual.success && expected.success) expect(actual.data).toEqual(expected.data);
  });
});
