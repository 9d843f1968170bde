import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsJobQueue } from '../jobs/sqs-queue';
import { installCapability } from '../runtime';

/** Background jobs through the SQS jobs queue (JOBS_QUEUE_URL). */
installCapability('jobs', (config) => new SqsJobQueue(new SQSClient({ region: config.region }), config.jobsQueueUrl));
