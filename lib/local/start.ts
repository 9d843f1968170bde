import { rmSync } from 'node:fs';
import * as z from '../zod';
import { emailSchema } from '../domain/email';
import { loadConfig } from '../config';
import { logger } from '../logger';
import { InProcessQueue } from '../jobs/in-process-queue';
import type { OutboxMessage } from '../jobs/queue';
import { runMessage } from '../jobs/run-message';
import { StaticWebhookSecrets } from '../webhooks/secrets';
import { createDeps, installRuntime } from '../runtime';
import { bootstrapAdmin } from '../use-cases/users';
import { runDueDismissals } from '../use-cases/scheduled-dismissals';
import { startDynamoLocal, type DynamoLocal } from './dynamodb-local';
import { LocalJwt } from './local-auth';
import { createLocalServer, listen } from './server';
import { PersistentOutboxMailer } from './persistent-outbox';
import { markOutboxHandled, resumeUnfinishedWork } from './recovery';
import { paths, secureStateDir, writeServerState } from './state';
import { ensureTable } from './table';

/**
 * `npm start`: the whole API on loopback. Starts DynamoDB Local (on 127.0.0.1, persisted under
 * .local/) unless DYNAMODB_ENDPOINT names one, creates the table from the shared definition,
 * bootstraps the admin, resumes the work a previous run left unfinished, serves every route
 * through the Lambda handlers, and stops DynamoDB Local on exit.
 */
const localEnv = z
  .object({
    PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
    HOST: z._default(z.string(), '127.0.0.1'),
    DYNAMODB_ENDPOINT: z.optional(z.url()),
    TABLE_NAME: z._default(z.string().check(z.minLength(1)), 'employee-directory'),
    BOOTSTRAP_ADMIN_EMAIL: z._default(emailSchema, 'admin@example.com'),
  })
  .parse(process.env);

/** The documented development secret for `POST /webhooks/hr/standard` when HR_WEBHOOK_SECRET is unset. */
const DEFAULT_HR_WEBHOOK_SECRET = 'whsec_bG9jYWwtaHItd2ViaG9vay1zZWNyZXQtZm9yLWRldmVsb3BtZW50';

secureStateDir();
let dynamo: DynamoLocal | undefined;
if (!localEnv.DYNAMODB_ENDPOINT) {
  console.log(`Starting DynamoDB Local (data in ${paths.dynamodb}) ...`);
  try {
    dynamo = await startDynamoLocal({ dbPath: paths.dynamodb });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
const endpoint = localEnv.DYNAMODB_ENDPOINT ?? dynamo!.endpoint;
const baseUrl = `http://${localEnv.HOST}:${localEnv.PORT}`;
const config = loadConfig({
  TABLE_NAME: localEnv.TABLE_NAME,
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  DYNAMODB_ENDPOINT: endpoint,
  APP_BASE_URL: baseUrl,
  INVITATION_TTL_HOURS: process.env.INVITATION_TTL_HOURS,
  LOGIN_CHANGE_TTL_HOURS: process.env.LOGIN_CHANGE_TTL_HOURS,
  HR_WEBHOOK_SECRET: process.env.HR_WEBHOOK_SECRET ?? DEFAULT_HR_WEBHOOK_SECRET,
  GUSTO_WEBHOOK_SECRET: process.env.GUSTO_WEBHOOK_SECRET,
  BAMBOOHR_WEBHOOK_SECRET: process.env.BAMBOOHR_WEBHOOK_SECRET,
});
const outbox = new PersistentOutboxMailer(baseUrl, paths.mail);
const jobs = new InProcessQueue();
const deps = createDeps(config, { webhookSecrets: new StaticWebhookSecrets(config.webhookSecrets) });
// Mail goes to the outbox that GET /_local/outbox lists, where AWS has the mail worker and SES.
jobs.attach((message) => runMessage({ ...deps, mailer: outbox }, message));
// No DynamoDB stream here: committed outbox messages go straight to the in-process queue, and
// each outbox item is marked handled once its message was, so a crash loses nothing (below).
const relay = (message: OutboxMessage, outboxId: string | undefined) =>
  void jobs.enqueue(message, outboxId ? { onHandled: () => markOutboxHandled(deps.table, outboxId, deps.clock()) } : {});
deps.table.relay = (messages, outboxIds) => {
  messages.forEach((message, i) => {
    relay(message, outboxIds[i]);
  });
};
installRuntime(deps);

const table = await ensureTable(deps.table.client, config.tableName);
const admin = await bootstrapAdmin(deps, localEnv.BOOTSTRAP_ADMIN_EMAIL);
// What the previous run committed but did not finish (it crashed, or gave up on a message):
// queued again before serving, so nothing new is mistaken for it.
const resumed = await resumeUnfinishedWork(deps.table, (message, options) => jobs.enqueue(message, options), deps.clock);
const server = createLocalServer({ jwt: LocalJwt.fromFile(paths.jwtKey), outbox, settle: () => jobs.idle() });
const port = await listen(server, localEnv.PORT, localEnv.HOST);
const url = `http://${localEnv.HOST}:${port}`;
writeServerState({ url, dynamodbEndpoint: endpoint, tableName: config.tableName, region: config.region, pid: process.pid, dynamodbPid: dynamo?.pid });

console.log(`
Employee directory listening on ${url}
  DynamoDB:  ${endpoint} (table ${config.tableName}, ${table})
  Admin:     ${admin.user.loginEmail} (${admin.created ? 'created' : 'already there'}, id ${admin.user.id})
  Resumed:   ${resumed.messages} unhandled outbox messages, ${resumed.jobs} other unfinished handover jobs
  Token:     export TOKEN=$(npm run -s token -- ${admin.user.loginEmail})
  Try:       curl -s ${url}/users -H "Authorization: Bearer $TOKEN"
  Outbox:    curl -s ${url}/_local/outbox
  OpenAPI:   ${url}/openapi.json
  Webhooks:  ${url}/webhooks/hr/standard (secret: ${process.env.HR_WEBHOOK_SECRET ? 'from HR_WEBHOOK_SECRET' : 'the documented development default'})
Ctrl-C stops the server and DynamoDB Local.`);

// What the EventBridge schedule does in AWS: carry out scheduled dismissals once due.
const dueDismissals = setInterval(() => {
  runDueDismissals(deps).catch((error: unknown) => logger.error('due dismissals failed', { errorName: (error as Error)?.name }));
}, 30_000);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping ...`);
  clearInterval(dueDismissals);
  server.close();
  server.closeAllConnections();
  await dynamo?.stop();
  rmSync(paths.server, { force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error: String(error) }));
