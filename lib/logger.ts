import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per process. We log ids, codes and counts, never request bodies,
 * tokens or secrets.
 */
export const logger = new Logger({ serviceName: 'employee-directory' });
