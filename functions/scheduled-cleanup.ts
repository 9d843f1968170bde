import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../lib/logger';
import { runtime } from '../lib/runtime';
import { runCleanup, type CleanupReport } from '../lib/use-cases/cleanup';

/** Runs daily (EventBridge): sweeps accounts dismissed longer than CLEANUP_RETENTION_DAYS. */
export const handler = middy<ScheduledEvent, CleanupReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context) => {
    const deps = runtime();
    // What does not fit in this run is swept by the next one.
    return runCleanup(deps, {
      dryRun: false,
      retentionDays: deps.settings.retentionDays,
      actorId: null,
      shouldYield: () => context.getRemainingTimeInMillis() < 10_000,
    });
  });
