import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DomainError } from '../domain/errors';
import { logger } from '../logger';

/** What the worker reads a message body with: the queue's zod schema, or a parser of the same shape. */
export type MessageParser<T> = { safeParse(input: unknown): { success: true; data: T } | { success: false } };

/**
 * The Lambda handler of a queue's worker. Each record is parsed with the queue's message schema and
 * run; a record that fails is reported back so SQS redelivers only it, and after the queue's
 * receive limit it goes to the dead-letter queue. A malformed message, or one naming work that does
 * not exist (a 404 domain error), can never succeed, so it is logged and dropped instead of retried.
 */
export function queueWorker<T extends object>(schema: MessageParser<T>, run: (message: T, context: Context) => Promise<unknown>) {
  // Powertools' own context calls rather than middy: a worker has no request pipeline to compose,
  // and the jobs worker's bundle is the largest (docs/benchmarks.md).
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    try {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        const parsed = schema.safeParse(safeJson(record.body));
        if (!parsed.success) {
          logger.error('malformed job message dropped', { messageId: record.messageId });
          continue;
        }
        try {
          await run(parsed.data, context);
        } catch (error) {
          if (error instanceof DomainError && error.status === 404) {
            logger.error('message for unknown work dropped', { messageId: record.messageId, ...parsed.data });
            continue;
          }
          logger.error('job attempt failed', { ...parsed.data, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    } finally {
      logger.resetKeys();
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The Lambda handler of a queue whose worker runs its batch together (the events worker): the
 * records parsed (a malformed one logged and dropped), `run` handed them all, and what it answers
 * failed reported back for SQS to redeliver.
 */
export function batchQueueWorker<T extends object>(
  schema: MessageParser<T>,
  run: (messages: T[], context: Context) => Promise<{ messages: T[]; errors: unknown[] }>,
) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    try {
      const parsed: { messageId: string; message: T }[] = [];
      for (const record of event.Records) {
        const result = schema.safeParse(safeJson(record.body));
        if (result.success) parsed.push({ messageId: record.messageId, message: result.data });
        else logger.error('malformed job message dropped', { messageId: record.messageId });
      }
      const failed = await run(
        parsed.map((entry) => entry.message),
        context,
      );
      for (const error of failed.errors) logger.error('job attempt failed', { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
      const again = new Set(failed.messages);
      return { batchItemFailures: parsed.filter((entry) => again.has(entry.message)).map((entry) => ({ itemIdentifier: entry.messageId })) };
    } finally {
      logger.resetKeys();
    }
  };
}
