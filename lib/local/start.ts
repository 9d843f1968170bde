import { logger } from '../logger';
import { fail, onExit, StartupError, stopOnSignals, stopWithParent } from './lifecycle';
import { alreadyRunning, portMessage, readLocalEnv } from './local-env';
import { isolateLogContexts } from './log-context';
import { portUnavailable } from './server-port';
import { claimStateDir, releaseStateDir, secureStateDir, stateDir } from './state';

/**
 * `npm start`: the whole API on loopback. Starts DynamoDB Local (on 127.0.0.1, persisted under
 * .local/) unless DYNAMODB_ENDPOINT names one, creates the table from the shared definition,
 * bootstraps the admin, resumes the work a previous run left unfinished, serves every route
 * through the Lambda handlers (lib/local/serve.ts), and stops DynamoDB Local on exit.
 *
 * What can be checked cheaply is checked first, before the handlers and the AWS SDK are loaded:
 * the settings, that no server runs on this state folder, that the port is free. Every way out
 * (Ctrl-C, SIGTERM, SIGHUP, npm ending, a failed start: a busy port, DynamoDB Local not
 * starting, the table not created, an error while resuming work) stops what was started and
 * removes server.json (lib/local/lifecycle.ts); a failure exits 1 with a message, not a stack.
 */
stopOnSignals();
stopWithParent();
process.on('unhandledRejection', (error) =>
  logger.error('unhandled rejection', { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message }),
);

async function main(): Promise<void> {
  // First, before the AWS SDK asks for the store that keeps log contexts (lib/local/log-context.ts).
  if (!(await isolateLogContexts())) logger.warn('log contexts are shared: background work may be logged under the route that queued it');
  const localEnv = readLocalEnv();
  secureStateDir();
  const holder = claimStateDir();
  if (holder) throw new StartupError(alreadyRunning(holder, stateDir));
  onExit(() => releaseStateDir());
  const busy = await portUnavailable(localEnv.PORT, localEnv.HOST);
  if (busy) throw new StartupError(portMessage(localEnv.HOST, localEnv.PORT, busy));
  const { serve } = await import('./serve');
  await serve(localEnv);
}

main().catch(fail);
