import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../lib/logger';
import { DomainError } from '../lib/domain/errors';
import { jobMessageSchema } from '../lib/jobs/queue';
import { runJob } from '../lib/jobs/run-job';
import { runtime } from '../lib/runtime';

/**
 * SQS consumer for background work: handover jobs and HR deliveries. A record that fails is
 * reported back so SQS redelivers only it; after the queue's receive limit it goes to the
 * dead-letter queue. A malformed message, or one naming a job that does not exist, can never
 * succeed, so it is logged and dropped instead of retried.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    // Stop between chunks with time to spare; the job is queued again and resumes.
    const shouldYield = () => context.getRemainingTimeInMillis() < 30_000;
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const parsed = jobMessageSchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        logger.error('malformed job message dropped', { messageId: record.messageId });
        continue;
      }
      try {
        await runJob(runtime(), parsed.data, { shouldYield });
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
  });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
