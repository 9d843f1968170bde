/**
 * Benchmark: 1,000 dismissals reaching three webhook subscribers and one SCIM connector on this
 * machine, with the same code the events and connectors workers run in AWS (the in-process queue
 * standing in for SQS, DynamoDB Local for DynamoDB). Run: `npm run bench:outbound` (USERS=n, RECEIVER_MS=n).
 *
 * - Latency: from the moment a dismissal's commit returns to the moment each receiver has the
 *   signed `user.dismissed` event (verified with the `standardwebhooks` library, as receivers do),
 *   and to the moment the SCIM server (SCIMMY, test/support/scim-server.ts) holds the account
 *   with `active: false`. The dismissals are committed 8 at a time, as a burst (a layoff through
 *   HR webhooks), so the figures include the queueing such a burst causes.
 * - Throughput: the same users rehired with the relay held, then released at once: how fast the
 *   pipeline drains 3,000 deliveries, against a raw loop of signed POSTs of the same events to the
 *   same receivers in this run (sequential, as the issue's "raw loop"; and 8 in flight), and
 *   against a floor: those POSTs plus one durable record each, batched, which no delivery that
 *   survives a crash can do without.
 * - Cost: DynamoDB requests the workers make per event (fan-out, leases, progress, the delivery
 *   log, SCIM access items), counted by a middleware on the workers' own client; the commits'
 *   requests are counted on another client.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { countRequests, createDocumentClient, type RequestLog, type TableRef } from '../lib/data/client';
import { batchPutItems } from '../lib/data/items';
import { InProcessQueue } from '../lib/jobs/in-process-queue';
import type { OutboxMessage } from '../lib/jobs/queue';
import { runMessage, runMessages } from '../lib/jobs/run-message';
import { startDynamoLocal } from '../lib/local/dynamodb-local';
import { ensureTable } from '../lib/local/table';
import { OutboxMailer } from '../lib/mail/outbox-mailer';
import type { Deps } from '../lib/runtime';
import { ephemeralSecretBox } from '../lib/secrets/box';
import { createConnector } from '../lib/use-cases/connectors';
import { runDueDeliveries } from '../lib/use-cases/event-delivery';
import { createSubscription } from '../lib/use-cases/subscriptions';
import { acceptInvitation, bootstrapAdmin, dismissUser, inviteUser, rehireUser } from '../lib/use-cases/users';
import { StaticWebhookSecrets } from '../lib/webhooks/secrets';
import { fork } from 'node:child_process';

const USERS = Number(process.env.USERS ?? 1_000);
const RECEIVERS = 3;
const IN_FLIGHT = 8;
/** How long each receiver takes to answer: 0 is loopback at its fastest; a receiver on the internet is some tens of ms away. */
const RECEIVER_MS = Number(process.env.RECEIVER_MS ?? 0);

type Arrival = { type: string; userId: string; at: number };

/** A subscriber on loopback that verifies every request with the receivers' library and notes when each event arrived. */
async function startReceiver() {
  const arrivals: Arrival[] = [];
  let secret = '';
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const event = new Webhook(secret).verify(raw, req.headers as Record<string, string>) as { type: string; data: { userId: string } };
        arrivals.push({ type: event.type, userId: event.data.userId, at: now() });
        if (RECEIVER_MS > 0) setTimeout(() => res.writeHead(204).end(), RECEIVER_MS);
        else res.writeHead(204).end();
      } catch {
        refused++;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    arrivals,
    useSecret(value: string) {
      secret = value;
    },
    refused: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One signed POST, over the same transport the sender uses (node:http, a connection per request). */
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function until(what: string, done: () => boolean, timeoutMs = 600_000): Promise<void> {
  const started = Date.now();
  let reported = started;
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    if (Date.now() - reported > 10_000) {
      reported = Date.now();
      console.error(`still waiting for ${what} (${Math.round((reported - started) / 1000)} s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function inBatches<T>(items: T[], inFlight: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/** Now on the clock the SCIM process reports on. */
const now = () => performance.timeOrigin + performance.now();

type ScimMessage = { baseUrl: string; token: string } | { externalId: string; active: boolean; at: number };
/** Remote activations and deactivations, as the SCIM server stores them. */
const deactivatedAt = new Map<string, number>();
const reactivatedAt = new Map<string, number>();
let remoteActive = 0;
const scimProcess = fork(new URL('./scim-process.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const scim = await new Promise<{ baseUrl: string; token: string }>((resolve) =>
  scimProcess.on('message', (message: ScimMessage) => {
    if ('baseUrl' in message) return resolve(message);
    if (message.active) remoteActive++;
    else remoteActive--;
    if (!message.active && !deactivatedAt.has(message.externalId)) deactivatedAt.set(message.externalId, message.at);
    if (message.active && deactivatedAt.has(message.externalId) && !reactivatedAt.has(message.externalId)) reactivatedAt.set(message.externalId, message.at);
  }),
);
const dynamo = await startDynamoLocal();
const receivers = await Promise.all(Array.from({ length: RECEIVERS }, startReceiver));
try {
  const endpoint = { region: 'us-east-1', endpoint: dynamo.endpoint };
  const commitClient = createDocumentClient(endpoint);
  const workerClient = createDocumentClient(endpoint);
  await ensureTable(commitClient, 'bench');
  const jobs = new InProcessQueue();
  let held: OutboxMessage[] | undefined;
  const relay: TableRef['relay'] = (messages) => {
    for (const message of messages) {
      if (held) held.push(message);
      else void jobs.enqueue(message);
    }
  };
  const outbox = new OutboxMailer('http://bench.local');
  const base = {
    webhookSecrets: new StaticWebhookSecrets({}),
    secretBox: ephemeralSecretBox(),
    clock: () => new Date(),
    settings: { invitationTtlHours: 1, loginChangeTtlHours: 1, retentionDays: 90 },
    // The product's timeouts and limits; only the targets are loopback.
    events: { targets: 'loopback' as const },
  };
  const deps: Deps = { ...base, table: { client: commitClient, name: 'bench', relay } };
  const workers: Deps = { ...base, table: { client: workerClient, name: 'bench', relay } };
  jobs.attach(
    (message) => runMessage({ ...workers, mailer: outbox }, message),
    (messages) => runMessages(workers, messages),
  );
  // What the schedule does (every 5 s, as npm start): retries that are due, leases that ran out.
  const schedule = setInterval(() => void runDueDeliveries(workers).catch(() => undefined), 5_000);

  // Setup, not measured: the connector first, so every user is provisioned when activated.
  const admin = (await bootstrapAdmin(deps, 'bench-admin@example.com')).user;
  await jobs.idle();
  await createConnector(deps, admin.id, { kind: 'scim', name: 'Bench SCIM', baseUrl: scim.baseUrl, token: scim.token });
  const userIds: string[] = [];
  await inBatches(
    Array.from({ length: USERS }, (_, i) => i),
    IN_FLIGHT,
    async (i) => {
      const invited = await inviteUser(deps, admin.id, { type: 'employee', loginEmail: `user-${i}@bench.example`, firstName: 'Bench', lastName: `User ${i}` });
      await until('the invitation mail', () => outbox.entries.some((mail) => mail.to === invited.loginEmail));
      const token = outbox.entries.find((mail) => mail.to === invited.loginEmail)!.token;
      userIds.push((await acceptInvitation(deps, token)).id);
    },
  );
  await jobs.idle();
  await until('every account provisioned', () => remoteActive >= USERS);
  const provisioned = remoteActive;
  if (provisioned !== USERS) throw new Error(`provisioning incomplete: ${provisioned}/${USERS}`);
  // Subscribed after the seeding: they receive what is committed from now on.
  const secrets: string[] = [];
  for (const receiver of receivers) {
    const created = await createSubscription(deps, admin.id, { url: receiver.url, description: 'bench receiver' });
    receiver.useSecret(created.secret);
    secrets.push(created.secret);
  }
  await jobs.idle();

  // 1. Latency: 1,000 dismissals, 8 at a time.
  const workerLog: RequestLog = countRequests(workerClient);
  const timing = new Map<string, { n: number; ms: number }>();
  workerClient.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const key = `${context.commandName} ${(args.input as { IndexName?: string }).IndexName ?? ''}`;
        const t = timing.get(key) ?? { n: 0, ms: 0 };
        t.n++;
        t.ms += performance.now() - started;
        timing.set(key, t);
      }
    },
    { step: 'initialize', name: 'timing' },
  );
  const commitLog: RequestLog = countRequests(commitClient);
  const committedAt = new Map<string, number>();
  const dismissStarted = performance.now();
  await inBatches(userIds, IN_FLIGHT, async (id) => {
    await dismissUser(deps, admin.id, id, {});
    committedAt.set(id, now());
  });
  const commitMs = performance.now() - dismissStarted;
  const dismissals = (receiver: (typeof receivers)[number]) => receiver.arrivals.filter((a) => a.type === 'user.dismissed');
  await until('every dismissal delivered and deactivated', () => receivers.every((r) => dismissals(r).length >= USERS) && deactivatedAt.size >= USERS);
  await jobs.idle();
  const deliveryLatency = receivers.flatMap((r) => dismissals(r).map((a) => a.at - committedAt.get(a.userId)!));
  const scimLatency = [...deactivatedAt].map(([id, at]) => at - committedAt.get(id)!);
  const requestsA = {
    commit: commitLog.commands.length,
    commitWrites: commitLog.writes,
    workers: workerLog.commands.length,
    reads: workerLog.reads,
    writes: workerLog.writes,
  };

  // 2. Throughput: the same users rehired while the relay holds their messages, then released.
  held = [];
  await inBatches(userIds, IN_FLIGHT, (id) => rehireUser(deps, admin.id, id));
  const backlog = held;
  held = undefined;
  workerLog.reset();
  const rehires = (receiver: (typeof receivers)[number]) => receiver.arrivals.filter((a) => a.type === 'user.rehired');
  const drainStarted = now();
  const cpuBefore = process.cpuUsage();
  for (const message of backlog) void jobs.enqueue(message);
  await until('every rehire delivered', () => receivers.every((r) => rehires(r).length >= USERS));
  const drainMs = Math.max(...receivers.map((r) => Math.max(...rehires(r).map((a) => a.at)))) - drainStarted;
  const drainCpu = process.cpuUsage(cpuBefore);
  await until('every rehire reactivated', () => reactivatedAt.size >= USERS);
  const scimDrainMs = Math.max(...reactivatedAt.values()) - drainStarted;
  await jobs.idle();
  const requestsB = { workers: workerLog.commands.length };

  // The raw loops: the same number of signed POSTs (one event per user and receiver).
  // Signed with the subscriptions' own secrets; nothing of the pipeline is left running.
  clearInterval(schedule);
  await jobs.idle();
  const rawPosts = userIds.flatMap((userId, n) =>
    receivers.map((receiver, i) => ({
      url: receiver.url,
      secret: secrets[i]!,
      id: `msg_raw_${n}_${i}`,
      body: JSON.stringify({ type: 'user.raw', timestamp: new Date().toISOString(), data: { userId } }),
    })),
  );
  const signedPost = async (p: (typeof rawPosts)[number]) => {
    const sentAt = new Date();
    const headers = {
      'webhook-id': p.id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(p.secret).sign(p.id, sentAt, p.body),
    };
    if ((await post(p.url, headers, p.body)) !== 204) throw new Error('the receiver refused a raw POST');
  };
  const rawLoop = async (inFlight: number) => {
    const started = performance.now();
    await inBatches(rawPosts, inFlight, signedPost);
    return performance.now() - started;
  };
  await rawLoop(IN_FLIGHT); // warm-up
  const rawSequentialMs = await rawLoop(1);
  const rawParallelMs = await rawLoop(IN_FLIGHT);
  // The least any delivery that survives a crash and shows in a log must add: one durable record
  // per delivery, written 25 per BatchWriteItem after the 25 POSTs it records, 4 such batches in
  // flight (100 POSTs). No read, no lease, no fan-out: a ceiling for the pipeline, not a design.
  const floorBatches: (typeof rawPosts)[] = [];
  for (let i = 0; i < rawPosts.length; i += 25) floorBatches.push(rawPosts.slice(i, i + 25));
  const floorLoop = async (round: number) => {
    const started = performance.now();
    await inBatches(floorBatches, 4, async (batch) => {
      await Promise.all(batch.map(signedPost));
      const at = new Date().toISOString();
      await batchPutItems(
        workers.table,
        batch.map((p) => ({
          pk: `FLOOR#${round}#${p.id}`,
          sk: 'DELIVERY',
          eventId: p.id,
          status: 'delivered',
          attempts: 1,
          lastStatusCode: 204,
          updatedAt: at,
        })),
      );
    });
    return performance.now() - started;
  };
  await floorLoop(0); // warm-up
  const floorMs = await floorLoop(1);

  const refused = receivers.reduce((sum, r) => sum + r.refused(), 0);
  const deliveries = USERS * RECEIVERS;
  const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const pipelineRate = perSecond(deliveries, drainMs);
  console.log(
    `\nOutbound benchmark: ${USERS} users, ${RECEIVERS} webhook subscribers answering in ${RECEIVER_MS} ms, 1 SCIM connector (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`,
  );
  console.log(`Dismissals committed: ${USERS} in ${ms(commitMs)} (${perSecond(USERS, commitMs)}/s, ${IN_FLIGHT} in flight).\n`);
  console.log('| commit → | p50 | p99 | max |');
  console.log('|---|---|---|---|');
  console.log(
    `| signed event delivered (${deliveryLatency.length} deliveries) | ${ms(percentile(deliveryLatency, 50))} | ${ms(percentile(deliveryLatency, 99))} | ${ms(Math.max(...deliveryLatency))} |`,
  );
  console.log(
    `| remote account active: false (${scimLatency.length} accounts) | ${ms(percentile(scimLatency, 50))} | ${ms(percentile(scimLatency, 99))} | ${ms(Math.max(...scimLatency))} |`,
  );
  console.log('\n| drain of a backlog | time | deliveries/s | vs raw loop (1 in flight) | vs raw loop (8 in flight) |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| the pipeline: ${deliveries} deliveries (fan-out, leases, progress, log) | ${ms(drainMs)} | ${pipelineRate} | ${(pipelineRate / perSecond(deliveries, rawSequentialMs)).toFixed(2)}x | ${(pipelineRate / perSecond(deliveries, rawParallelMs)).toFixed(2)}x |`,
  );
  console.log(`| raw: sign + POST, 1 in flight | ${ms(rawSequentialMs)} | ${perSecond(deliveries, rawSequentialMs)} | 1.00x | |`);
  console.log(`| raw: sign + POST, ${IN_FLIGHT} in flight | ${ms(rawParallelMs)} | ${perSecond(deliveries, rawParallelMs)} | | 1.00x |`);
  console.log(
    `| floor: sign + POST + one durable record each (25 per BatchWriteItem), 100 in flight | ${ms(floorMs)} | ${perSecond(deliveries, floorMs)} | ${(perSecond(deliveries, floorMs) / perSecond(deliveries, rawSequentialMs)).toFixed(2)}x | ${(perSecond(deliveries, floorMs) / perSecond(deliveries, rawParallelMs)).toFixed(2)}x |`,
  );
  console.log(`\nThe pipeline reaches ${(pipelineRate / perSecond(deliveries, floorMs)).toFixed(2)}x the floor.`);
  console.log(`\nSCIM in the same drain: ${USERS} reactivations in ${ms(scimDrainMs)} (${perSecond(USERS, scimDrainMs)}/s).`);
  console.log(
    `\nDynamoDB requests per dismissal: ${(requestsA.commit / USERS).toFixed(1)} to commit it (${(requestsA.commitWrites / USERS).toFixed(1)} writes); ` +
      `${(requestsA.workers / USERS).toFixed(1)} by the workers to deliver it to ${RECEIVERS} subscribers and 1 connector ` +
      `(${(requestsA.reads / USERS).toFixed(1)} reads, ${(requestsA.writes / USERS).toFixed(1)} writes; ${(requestsA.workers / (USERS * (RECEIVERS + 1))).toFixed(1)} per target). ` +
      `In the drain: ${(requestsB.workers / USERS).toFixed(1)} per event.`,
  );
  console.log(`This process's CPU during the drain: ${ms((drainCpu.user + drainCpu.system) / 1000)} in ${ms(drainMs)}.`);
  console.log(
    `Mean DynamoDB Local request time under the burst: ${[...timing]
      .map(([command, t]) => `${command.replace('Command', '').trim()} ${(t.ms / t.n).toFixed(0)} ms (${t.n})`)
      .join(', ')}.`,
  );
  console.log(`Signatures refused by the receivers: ${refused}.`);
  commitClient.destroy();
  workerClient.destroy();
} finally {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  scimProcess.disconnect();
  await dynamo.stop();
}
