import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../lib/logger';
import { runtime } from '../lib/runtime';
import { runDueDeliveries } from '../lib/use-cases/event-delivery';

/** Runs on a schedule (EventBridge, every minute): queues the event deliveries whose retry is due. */
export const handler = middy<ScheduledEvent, { queued: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => runDueDeliveries(runtime()));
