import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../lib/logger';
import { runtime } from '../lib/runtime';
import { runDueDismissals, type DueDismissalsReport } from '../lib/use-cases/scheduled-dismissals';

/** Runs on a schedule (EventBridge, every five minutes): carries out dismissals whose time has come. */
export const handler = middy<ScheduledEvent, DueDismissalsReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => runDueDismissals(runtime()));
