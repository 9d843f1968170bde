import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OutboxMessage } from '../domain/follow-up';

/**
 * The table every repository function works on: one client, one name, passed explicitly.
 * `relay` stands in for the DynamoDB stream where there is none (locally, in tests): it is handed
 * the outbox messages of every committed write, as the stream hands them to the relay in AWS, and
 * the ids of their outbox items (`outboxIds[i]` is `messages[i]`'s), so the local runtime can mark
 * what it has handled and resume the rest after a crash.
 */
export type TableRef = { client: DynamoDBDocumentClient; name: string; relay?: (messages: OutboxMessage[], outboxIds: string[]) => void };

export type ClientOptions = { region: string; endpoint?: string | undefined };

/** The one DocumentClient factory. A custom endpoint means DynamoDB Local: dummy credentials. */
export function createDocumentClient({ region, endpoint }: ClientOptions): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export type RequestLog = { commands: string[]; reads: number; writes: number; reset(): void };

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/**
 * Counts the DynamoDB requests a client sends (each command once, however the SDK retries it),
 * so tests and benchmarks can state round trips per operation.
 */
export function countRequests(client: DynamoDBDocumentClient): RequestLog {
  const log: RequestLog = {
    commands: [],
    get reads() {
      return this.commands.filter((c) => READS.has(c)).length;
    },
    get writes() {
      return this.commands.filter((c) => WRITES.has(c)).length;
    },
    reset() {
      this.commands.length = 0;
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      log.commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests', override: true },
  );
  return log;
}

/** Whether a write was refused by its condition (the SDK's class, or its name where another copy of the SDK threw it). */
export const conditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/** An UpdateItem its condition may refuse: true when written, false when refused. */
export async function updateIf(table: TableRef, input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
  try {
    await table.client.send(new UpdateCommand({ TableName: table.name, ...input }));
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}
