import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../lib/data/client';

export type WriteRequest = Record<string, unknown>;

/**
 * The raw baseline the benchmarks compare against: BatchWriteItem, 25 requests each, `inFlight`
 * batches at a time, retrying only what DynamoDB left unprocessed. Returns the elapsed ms.
 */
export async function batchWrite(table: TableRef, requests: WriteRequest[], inFlight: number): Promise<number> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) {
        let pending: WriteRequest[] | undefined = batches[next++];
        while (pending && pending.length > 0) {
          const result = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending as never } }));
          pending = result.UnprocessedItems?.[table.name] as WriteRequest[] | undefined;
        }
      }
    }),
  );
  return performance.now() - started;
}
