import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../lib/logger';
import { runtime } from '../lib/runtime';
import { runHandoverJob } from '../lib/use-cases/handover';

const message = z.object({ jobId: z.string().min(1) });

/**
 * SQS consumer: runs (or resumes) each queued handover job. A record that fails is reported back
 * so SQS redelivers only it; after the queue's receive limit it goes to the dead-letter queue.
 * A malformed message can never succeed, so it is logged and dropped instead of retried.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const parsed = message.safeParse(safeJson(record.body));
      if (!parsed.success) {
        logger.error('malformed job message dropped', { messageId: record.messageId });
        continue;
      }
      try {
        const job = await runHandoverJob(runtime(), parsed.data.jobId);
        logger.info('job finished', { jobId: job.id, status: job.status, tasks: job.moved.tasks, activities: job.moved.activities });
      } catch (error) {
        logger.error('job attempt failed', { jobId: parsed.data.jobId, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
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
