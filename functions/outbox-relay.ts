import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadRelayConfig } from '../lib/config';
import { relayOutbox } from '../lib/jobs/relay';
import { SqsJobQueue } from '../lib/jobs/sqs-queue';
import { logger } from '../lib/logger';

const config = loadRelayConfig(process.env);
const queue = new SqsJobQueue(new SQSClient({ region: config.region }), config.jobsQueueUrl);

/**
 * Triggered by the table's stream, filtered to new outbox items: queues them for the jobs worker.
 * It is the only function that can send to the jobs queue, and it never touches the table itself.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => relayOutbox(event.Records, queue));
