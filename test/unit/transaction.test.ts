import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Busy, EmailInUse } from '../../lib/domain/errors';
import { StaleWrite, transactWrite, type TxOp } from '../../lib/data/transaction';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(client);
const table = { client, name: 'unit' };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const ops: TxOp[] = [
  {
    item: { Put: { Item: { pk: 'USER#1', sk: 'PROFILE' }, ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFailed: () => new StaleWrite('user 1'),
  },
  {
    item: { Put: { Item: { pk: 'EMAIL#a@b.co', sk: 'CLAIM' }, ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFailed: (old) => new EmailInUse('a@b.co', old?.roles as ['login'], { id: String(old?.userId), status: 'active', type: 'employee' }),
  },
  { item: { Put: { Item: { pk: 'USER#1', sk: 'AUDIT#1' } } } },
];

beforeEach(() => ddb.reset());

describe('transactWrite', () => {
  it('sends one TransactWriteItems with the table name and ALL_OLD on every conditional item', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await transactWrite(table, ops);
    const [call] = ddb.commandCalls(TransactWriteCommand);
    const items = call!.args[0].input.TransactItems!;
    expect(items.map((item) => item.Put?.TableName)).toEqual(['unit', 'unit', 'unit']);
    expect(items.map((item) => item.Put?.ReturnValuesOnConditionCheckFailure)).toEqual(['ALL_OLD', 'ALL_OLD', undefined]);
  });

  it('retries transaction conflicts, which DynamoDB Local cannot be made to produce on demand', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'))
      .rejectsOnce(cancelled('TransactionConflict', 'None', 'None'))
      .resolves({});
    await transactWrite(table, ops, { baseDelayMs: 1 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up on persistent conflicts with a retryable busy error', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));
    await expect(transactWrite(table, ops, { conflictRetries: 2, baseDelayMs: 1 })).rejects.toBeInstanceOf(Busy);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it("turns a failed condition into that op's domain error, with the old item unmarshalled", async () => {
    const reasons = [
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Item: marshall({ pk: 'EMAIL#a@b.co', userId: 'HOLDER', roles: ['login'] }) },
      { Code: 'None' },
    ];
    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: reasons }));
    const error = await transactWrite(table, ops).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUse);
    expect((error as EmailInUse).holder.id).toBe('HOLDER');
    expect((error as EmailInUse).usedAs).toEqual(['login']);
  });

  it('reports the first failed guard when several fail, so a stale user is retried before blaming the address', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'));
    await expect(transactWrite(table, ops)).rejects.toBeInstanceOf(StaleWrite);
  });

  it('does not swallow other errors (throttling is retried by the SDK itself, then surfaces)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ddb.on(TransactWriteCommand).rejects(throttled);
    await expect(transactWrite(table, ops)).rejects.toThrow('Rate exceeded');
  });
});
