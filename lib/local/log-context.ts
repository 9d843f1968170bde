import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { randomUUID } from 'node:crypto';
import { logger } from '../logger';

/**
 * In AWS each Lambda invocation logs with its own keys. The local server runs every route and all
 * background work in one process, where the logger's keys (route, request id, function name) are
 * shared: a mail sent after a request would be logged as that request's route. Powertools keeps
 * its keys per invocation when Lambda runs invocations concurrently (AWS_LAMBDA_MAX_CONCURRENCY,
 * with the runtime's InvokeStore on AsyncLocalStorage); the local server does the same, so each
 * request and each piece of background work logs under its own name.
 */
let store: InvokeStoreBase | undefined;

/**
 * Gives every `inLogContext` call its own logger keys from now on. Call it before anything else
 * asks for the InvokeStore (the AWS SDK does on its first request, and would get the store that
 * keeps one context for the whole process). Returns whether contexts are isolated.
 */
export async function isolateLogContexts(): Promise<boolean> {
  const candidate = await InvokeStore.getInstanceAsync(true);
  // The process-wide store of a single-invocation runtime (created earlier) would be shared.
  const outer = {};
  const isolated = candidate.run(outer, () => {
    candidate.run({}, () => undefined);
    return candidate.getContext() === outer;
  });
  if (!isolated) return false;
  store = candidate;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  return true;
}

/**
 * Runs `fn` with logger keys of its own, starting from `keys`; everything `fn` starts (timers,
 * promises) keeps them. Without `isolateLogContexts` (tests in one process) it just runs `fn`.
 */
export function inLogContext<T>(keys: Record<string, string>, fn: () => T): T {
  if (!store) return fn();
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: keys.requestId ?? randomUUID() }, () => {
    logger.appendKeys(keys);
    return fn();
  });
}
