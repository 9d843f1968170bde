import { loadConfig } from '../config';
import { logger } from '../logger';
import { InProcessQueue, type EnqueueOptions } from '../jobs/in-process-queue';
import type { OutboxMessage } from '../jobs/queue';
import { runMessage, runMessages } from '../jobs/run-message';
import { StaticWebhookSecrets } from '../webhooks/secrets';
import { createDeps, installRuntime } from '../runtime';
import { bootstrapAdmin } from '../use-cases/users';
import { runDueDismissals } from '../use-cases/scheduled-dismissals';
import { releaseLeftoverRuns, runDueDeliveries } from '../use-cases/event-delivery';
import { releaseLeftoverLeases } from '../data/delivery-pairs';
import type { DynamoLocal } from './dynamodb-local';
import { onExit, StartupError } from './lifecycle';
import { LocalJwt } from './local-auth';
import { inLogContext } from './log-context';
import { createLocalServer, listen } from './server';
import { PersistentOutboxMailer } from './persistent-outbox';
import { markOutboxHandled, resumeUnfinishedWork } from './recovery';
import { paths, writeServerState } from './state';
import { ensureTable } from './table';
import { localSecretBox } from '../secrets/local';
import { portMessage, type LocalEnv } from './local-env';
import type { ConsoleBuild } from './console-build';
import { localSignIn } from './local-sign-in';

/**
 * The serving half of `npm start` (lib/local/start.ts has checked the settings, the state folder
 * and the port, loading little, and started DynamoDB Local unless DYNAMODB_ENDPOINT names one):
 * creates the table, bootstraps the admin, resumes unfinished work and serves. Everything it
 * starts is stopped through lib/local/lifecycle.ts, on every way out.
 */

/** The documented development secret for `POST /webhooks/hr/standard` when HR_WEBHOOK_SECRET is unset. */
const DEFAULT_HR_WEBHOOK_SECRET = 'whsec_bG9jYWwtaHItd2ViaG9vay1zZWNyZXQtZm9yLWRldmVsb3BtZW50';

/** The worker that handles a message locally (its type, kebab-cased): its log context and log lines carry this name. */
function workerOf(message: OutboxMessage): string {
  return message.type.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** A message's ids (messages carry ids only, never a token or an address). */
function workDetail(message: OutboxMessage): string {
  const { type: _type, ...ids } = message as { type: string } & Record<string, unknown>;
  return Object.entries(ids)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** `2026-01-31T09:00:00.000Z mail done 14ms kind=invitation userId=<id> requestId=<id>`: one line per piece of background work. */
function workLine(worker: string, outcome: string, ms: number, detail: string): string {
  return `${new Date().toISOString()} ${worker} ${outcome} ${Math.round(ms)}ms ${detail}`;
}

/** The banner's console line: where, and whether this start built it. */
async function consoleLine(url: string, build: Promise<ConsoleBuild>): Promise<string> {
  try {
    const { built, ms, firstLoadGzipBytes } = await build;
    const size = `${(firstLoadGzipBytes / 1024).toFixed(1)} KiB gzipped first load`;
    return `${url}/console/ (${built ? `built in ${(ms / 1000).toFixed(1)} s` : 'up to date'}, ${size})`;
  } catch (error) {
    return `not available: the build failed (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * Serves, on `dynamo` (started by lib/local/start.ts while this module loaded) or DYNAMODB_ENDPOINT,
 * with the admin console that `consoleBuild` (begun by start.ts too) makes ready.
 */
export async function serve(localEnv: LocalEnv, dynamo: DynamoLocal | undefined, consoleBuild: Promise<ConsoleBuild>): Promise<void> {
  const endpoint = localEnv.DYNAMODB_ENDPOINT ?? dynamo?.endpoint;
  if (!endpoint) throw new Error('no DynamoDB: neither DYNAMODB_ENDPOINT nor a DynamoDB Local');
  const dynamodbPid = dynamo?.pid;
  const baseUrl = `http://${localEnv.HOST}:${localEnv.PORT}`;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      TABLE_NAME: localEnv.TABLE_NAME,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      DYNAMODB_ENDPOINT: endpoint,
      APP_BASE_URL: baseUrl,
      INVITATION_TTL_HOURS: process.env.INVITATION_TTL_HOURS,
      LOGIN_CHANGE_TTL_HOURS: process.env.LOGIN_CHANGE_TTL_HOURS,
      CLEANUP_RETENTION_DAYS: process.env.CLEANUP_RETENTION_DAYS,
      HR_WEBHOOK_SECRET: process.env.HR_WEBHOOK_SECRET ?? DEFAULT_HR_WEBHOOK_SECRET,
      GUSTO_WEBHOOK_SECRET: process.env.GUSTO_WEBHOOK_SECRET,
      BAMBOOHR_WEBHOOK_SECRET: process.env.BAMBOOHR_WEBHOOK_SECRET,
      // Locally, event subscriptions point at receivers on this machine (docs/events.md).
      EVENT_TARGETS: process.env.EVENT_TARGETS ?? 'loopback',
    });
  } catch (error) {
    throw new StartupError(`npm start cannot use these settings: ${(error as Error).message}`);
  }
  const outbox = new PersistentOutboxMailer(baseUrl, paths.mail);
  const jobs = new InProcessQueue();
  const deps = createDeps(config, { webhookSecrets: new StaticWebhookSecrets(config.webhookSecrets), secretBox: await localSecretBox(paths.secretsKey) });
  onExit(() => deps.table.client.destroy());
  // Mail goes to the outbox that GET /_local/outbox lists, where AWS has the mail worker and SES.
  jobs.attach(
    async (message) => {
      const started = performance.now();
      try {
        await runMessage({ ...deps, mailer: outbox }, message);
      } catch (error) {
        console.log(workLine(workerOf(message), `failed (${(error as Error)?.name})`, performance.now() - started, workDetail(message)));
        throw error;
      }
      console.log(workLine(workerOf(message), 'done', performance.now() - started, workDetail(message)));
    },
    async (messages) => {
      // A batch of event-delivery messages (one subscription's deliveries, or fan-outs): one line for it.
      const started = performance.now();
      const detail = messages.length === 1 ? workDetail(messages[0]!) : `${messages.length} messages, first ${workDetail(messages[0]!)}`;
      try {
        await runMessages(deps, messages);
      } catch (error) {
        console.log(workLine(workerOf(messages[0]!), `failed (${(error as Error)?.name})`, performance.now() - started, detail));
        throw error;
      }
      console.log(workLine(workerOf(messages[0]!), 'done', performance.now() - started, detail));
    },
  );
  // Each message runs in a log context of its own, named after its worker, not in the context of
  // the request that queued it.
  const enqueue = (message: OutboxMessage, options?: EnqueueOptions) => inLogContext({ worker: workerOf(message) }, () => jobs.enqueue(message, options));
  // No DynamoDB stream here: committed outbox messages go straight to the in-process queue, and
  // each outbox item is marked handled once its message was, so a crash loses nothing (below).
  deps.table.relay = (messages, outboxIds) => {
    messages.forEach((message, i) => {
      const outboxId = outboxIds[i];
      void enqueue(message, outboxId ? { onHandled: () => markOutboxHandled(deps.table, outboxId, deps.clock()) } : {});
    });
  };
  installRuntime(deps);

  const table = await ensureTable(deps.table.client, config.tableName).catch((error: Error) => {
    throw new StartupError(`The table ${config.tableName} could not be created at ${endpoint}: ${error.name}: ${error.message}`);
  });
  // What the previous run committed but did not finish (it crashed, or gave up on a message):
  // queued again before anything new is committed (the admin's bootstrap included), so nothing new
  // is mistaken for it and run twice. This process is the only
  // worker on its table: a delivery lease still held is a dead run's, released (due now) rather
  // than waited out, and what is due is queued at once, not at the timer's first tick.
  const releasedLeases =
    (await inLogContext({ worker: 'recovery' }, () => releaseLeftoverLeases(deps.table, deps.clock()))) +
    (await inLogContext({ worker: 'recovery' }, () => releaseLeftoverRuns(deps)));
  const resumed = await inLogContext({ worker: 'recovery' }, () => resumeUnfinishedWork(deps.table, enqueue, deps.clock));
  await inLogContext({ worker: 'recovery' }, () => runDueDeliveries(deps));
  const admin = await bootstrapAdmin(deps, localEnv.BOOTSTRAP_ADMIN_EMAIL);
  const jwt = LocalJwt.fromFile(paths.jwtKey);
  const server = createLocalServer({
    jwt,
    outbox,
    settle: () => jobs.idle(),
    log: (line) => console.log(line),
    console: { build: consoleBuild },
    signIn: localSignIn(deps.table, jwt),
  });
  onExit(async () => {
    server.close();
    server.closeAllConnections();
    // Let the work in flight finish briefly; what does not is resumed at the next start.
    await Promise.race([jobs.idle(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  });
  const port = await listen(server, localEnv.PORT, localEnv.HOST).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(portMessage(localEnv.HOST, localEnv.PORT, error.code ?? error.message));
  });
  const url = `http://${localEnv.HOST}:${port}`;
  writeServerState({ url, dynamodbEndpoint: endpoint, tableName: config.tableName, region: config.region, pid: process.pid, dynamodbPid });

  // What the EventBridge schedule does in AWS: carry out scheduled dismissals once due.
  const dueDismissals = setInterval(() => {
    inLogContext({ worker: 'scheduled-dismissals' }, () => runDueDismissals(deps)).catch((error: unknown) =>
      logger.error('due dismissals failed', { errorName: (error as Error)?.name }),
    );
  }, 30_000);
  onExit(() => clearInterval(dueDismissals));
  // What the every-minute schedule does in AWS: queue event deliveries whose retry is due (also
  // those a previous run left leased when it stopped).
  const dueDeliveries = setInterval(() => {
    inLogContext({ worker: 'events' }, () => runDueDeliveries(deps)).catch((error: unknown) =>
      logger.error('due event deliveries failed', { errorName: (error as Error)?.name }),
    );
  }, 5_000);
  onExit(() => clearInterval(dueDeliveries));

  const consoleAt = await consoleLine(url, consoleBuild);
  // A second server's folder must follow its token command, or the token is signed with another key.
  const stateEnv = process.env.LOCAL_STATE_DIR ? `LOCAL_STATE_DIR=${process.env.LOCAL_STATE_DIR} ` : '';
  console.log(`
Employee directory listening on ${url}
  Console:   ${consoleAt}
  DynamoDB:  ${endpoint} (table ${config.tableName}, ${table})
  Admin:     ${admin.user.loginEmail} (${admin.created ? 'created' : 'already there'}, id ${admin.user.id})
  Resumed:   ${resumed.messages} unhandled outbox messages, ${resumed.jobs} other unfinished handover jobs, ${releasedLeases} delivery leases released
  API:       export API=${url}
  Token:     export TOKEN=$(${stateEnv}npm run -s token -- ${admin.user.loginEmail})
  Try:       curl -s ${url}/users -H "Authorization: Bearer $TOKEN"
  Outbox:    curl -s ${url}/_local/outbox
  OpenAPI:   ${url}/openapi.json
  Webhooks:  ${url}/webhooks/hr/standard (secret: ${process.env.HR_WEBHOOK_SECRET ? 'from HR_WEBHOOK_SECRET' : 'the documented development default'})
Ctrl-C (or kill ${process.pid}) stops the server and DynamoDB Local; npm run reset (once stopped) starts over on empty data.
Requests are logged one line each: time, method, route, status, duration, request id.`);
}
