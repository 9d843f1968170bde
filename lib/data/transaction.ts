import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { Busy } from '../domain/errors';
import type { TableRef } from './client';
import { outboxEntries } from './outbox-item';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type WithoutTable<T> = T extends object ? Omit<T, 'TableName'> : never;
/** A transaction item without its table name: ops are built without knowing the table. */
export type TxItem = { [K in keyof TransactItem]?: WithoutTable<NonNullable<TransactItem[K]>> };
type OldItem = Record<string, unknown> | undefined;

/**
 * One write of a transaction plus what its failed condition means in domain terms. The
 * translator gets the item as it was when the condition failed (ALL_OLD), e.g. the claim that
 * names the address's holder.
 */
export type TxOp = {
  item: TxItem;
  onConditionFailed?: (old: OldItem) => Error | Promise<Error>;
};

/** Raised when an optimistic-concurrency guard failed: the caller re-reads and tries again. */
export class StaleWrite extends Error {
  constructor(what: string) {
    super(`${what} changed concurrently`);
  }
}

export type TransactOptions = {
  conflictRetries?: number;
  baseDelayMs?: number;
  /** Report every failed condition (ConditionsFailed) instead of only the first op's error. */
  allFailures?: boolean;
};

/** Every op whose condition failed, translated, in op order (with `allFailures`). */
export class ConditionsFailed extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/**
 * Runs one TransactWriteItems. A cancelled transaction becomes the domain error of the first op
 * whose condition failed (ops are ordered so guards on the changed user come first). Transaction
 * conflicts (another transaction on the same items in flight) are retried with jittered backoff;
 * the SDK does not retry them itself.
 */
export async function transactWrite(table: TableRef, ops: TxOp[], options: TransactOptions = {}): Promise<void> {
  const { conflictRetries = 6, baseDelayMs = 15 } = options;
  const items = ops.map(({ item }) => prepare(item, table.name));
  for (let attempt = 0; ; attempt++) {
    try {
      await table.client.send(new TransactWriteCommand({ TransactItems: items }));
      if (table.relay) {
        const entries = outboxEntries(ops.map((op) => op.item));
        if (entries.length > 0)
          table.relay(
            entries.map((entry) => entry.message),
            entries.map((entry) => entry.id),
          );
      }
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failedIndexes = reasons.flatMap((reason, i) => (reason.Code === 'ConditionalCheckFailed' ? [i] : []));
      if (failedIndexes.length > 0) {
        const translate = async (i: number) => {
          const op = ops[i];
          const reason = reasons[i];
          if (!op?.onConditionFailed) return new StaleWrite('an item of the transaction');
          return op.onConditionFailed(reason?.Item ? unmarshall(reason.Item as never) : undefined);
        };
        if (options.allFailures) throw new ConditionsFailed(await Promise.all(failedIndexes.map(translate)));
        throw await translate(failedIndexes[0]!);
      }
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflict) throw error;
      if (attempt >= conflictRetries) throw new Busy();
      await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    }
  }
}

/** Adds the table name, and asks for the old item whenever a condition can fail. */
function prepare(item: TxItem, tableName: string): TransactItem {
  const [kind, body] = Object.entries(item)[0] ?? [];
  if (!kind || !body) throw new Error('empty transaction item');
  const conditional = 'ConditionExpression' in body && Boolean(body.ConditionExpression);
  return {
    [kind]: { ...body, TableName: tableName, ...(conditional ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}) },
  } as TransactItem;
}
