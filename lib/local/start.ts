import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger';
import { exit, fail, onExit, StartupError, stopOnSignals, stopWithParent } from './lifecycle';
import { alreadyRunning, portMessage, readLocalEnv } from './local-env';
import { isolateLogContexts } from './log-context';
import { portUnavailable } from './server-port';
import { type DynamoLocal, startDynamoLocal } from './dynamodb-local';
import { dynamoLocalsOn, isLocalServer, terminate } from './processes';
import { claimStateDir, paths, releaseStateDir, secureStateDir, stateDir } from './state';

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

/**
 * A DynamoDB Local on our data directory with no server behind it was left by an earlier run (or
 * an earlier version): stop it, or this start would share the database files with it. One that a
 * running server started is that server's: refuse.
 */
async function stopLeftoverDynamoLocal(): Promise<void> {
  for (const leftover of dynamoLocalsOn(paths.dynamodb)) {
    if (isLocalServer(leftover.ppid)) {
      throw new StartupError(
        `DynamoDB Local (pid ${leftover.pid}) of a running server (pid ${leftover.ppid}) uses ${paths.dynamodb}. Stop that server first (kill ${leftover.ppid}).`,
      );
    }
    console.log(`Stopping a DynamoDB Local left running on this data by an earlier run (pid ${leftover.pid}) ...`);
    await terminate(leftover.pid);
  }
}

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
  // The admin console is built (only when its sources changed) while DynamoDB Local boots.
  const consoleBuild = import('./console-build').then(({ ensureConsoleBuilt }) => ensureConsoleBuilt());
  consoleBuild.catch(() => undefined);
  let dynamo: Promise<DynamoLocal> | undefined;
  if (!localEnv.DYNAMODB_ENDPOINT) {
    await stopLeftoverDynamoLocal();
    console.log(`Starting DynamoDB Local (data in ${paths.dynamodb}) ...`);
    // Its JVM boots while the handlers and the AWS SDK load below.
    const starting = startDynamoLocal({ dbPath: paths.dynamodb, quickStart: true });
    dynamo = starting;
    starting.catch(() => undefined);
    onExit(async () => {
      const started = await Promise.race([starting.catch(() => undefined), sleep(3_000)]);
      await started?.stop();
    });
  }
  const { serve } = await import('./serve');
  const started = await dynamo?.catch((error: Error) => {
    throw new StartupError(error.message);
  });
  // Without its database the server would only answer 500s: stop it, saying why.
  void started?.died.then((how) => exit(1, `DynamoDB Local stopped unexpectedly (${how}); the server stops too. Start again with npm start.`));
  await serve(localEnv, started, consoleBuild);
}

main().catch(fail);
