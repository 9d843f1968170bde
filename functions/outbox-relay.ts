import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadRelayConfig } from '../lib/config';
import { relayOutbox } from '../lib/jobs/relay';
import { SqsBatchQueue } from '../lib/jobs/sqs-queue';
import { logger } from '../lib/logger';

const config = loadRelayConfig(process.env);
const sqs = new SQSClient({ region: config.region });
const queues = {
  jobs: new SqsBatchQueue(sqs, config.queueUrls.jobs),
  mail: new SqsBatchQueue(sqs, config.queueUrls.mail),
  events: new SqsBatchQueue(sqs, config.queueUrls.events),
  connectors: new SqsBatchQueue(sqs, config.queueUrls.connectors),
};

/**
 * Triggered by the table's stream, filtered to new outbox items: queues each for its worker (the
 * jobs worker, the mail worker, the events worker or the connectors worker). It is the only function that can send to those queues, and it
 * never touches the table itself.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => relayOutbox(event.Records, queues));
