/**
 * Benchmark: hand over 10,000 open work items on DynamoDB Local, and compare with the fastest raw
 * write loop over the same items in the same run. Run: `npm run bench:handover` (ITEMS=n to change).
 *
 * The handover moves items in transactions of 94 conditional updates plus the delegate and leaver
 * checks, the job's progress, the chunk's audit entry and both users' open-work counts (100 actions). The baselines rewrite the same items with unconditional
 * BatchWriteItem puts (25 per request), sequentially and with several requests in flight; the
 * fastest one is the floor. The ratio says what safety (conditions, progress, resumability) costs.
 */
import { InProcessQueue } from '../lib/jobs/in-process-queue';
import { runMessage } from '../lib/jobs/run-message';
import { batchWrite } from './batch-write';
import { countRequests, createDocumentClient } from '../lib/data/client';
import { workToItem } from '../lib/data/work';
import type { WorkItem } from '../lib/domain/work';
import { StaticWebhookSecrets } from '../lib/webhooks/secrets';
import { startDynamoLocal } from '../lib/local/dynamodb-local';
import { ensureTable } from '../lib/local/table';
import { OutboxMailer } from '../lib/mail/outbox-mailer';
import type { Deps } from '../lib/runtime';
import { runHandoverJob } from '../lib/use-cases/handover';
import { acceptInvitation, bootstrapAdmin, dismissUser, inviteUser } from '../lib/use-cases/users';
import { seedOpenWork } from '../test/support/work';
import { ephemeralSecretBox } from '../lib/secrets/box';

const ITEMS = Number(process.env.ITEMS ?? 10_000);

/** The baseline: the same items rewritten to another owner with unconditional BatchWriteItem puts. */
function batchRewrite(deps: Deps, items: WorkItem[], responsibleId: string, inFlight: number): Promise<number> {
  return batchWrite(
    deps.table,
    items.map((item) => ({ PutRequest: { Item: workToItem({ ...item, responsibleId }) } })),
    inFlight,
  );
}

const dynamo = await startDynamoLocal();
try {
  const client = createDocumentClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(client, 'bench');
  const outbox = new OutboxMailer('http://bench.local');
  const deps: Deps = {
    table: { client, name: 'bench' },
    webhookSecrets: new StaticWebhookSecrets({}),
    secretBox: ephemeralSecretBox(),
    clock: () => new Date(),
    settings: { invitationTtlHours: 1, loginChangeTtlHours: 1, retentionDays: 90 },
  };
  const queued: string[] = [];
  // Queued handovers are collected (no stream here), so the benchmark decides when they run.
  const manual: Deps = {
    ...deps,
    table: { ...deps.table, relay: (messages) => messages.forEach((m) => void queued.push(m.type === 'handover' ? m.jobId : '')) },
  };
  const admin = (await bootstrapAdmin(deps, 'bench-admin@example.com')).user;
  // Invitations are mailed in-process, as the mail worker would.
  const mailQueue = new InProcessQueue().attach((message) => runMessage({ ...deps, mailer: outbox }, message));
  const inviting: Deps = { ...deps, table: { ...deps.table, relay: (messages) => messages.forEach((m) => void mailQueue.enqueue(m)) } };
  const activeUser = async (email: string) => {
    await inviteUser(inviting, admin.id, { type: 'employee', loginEmail: email, firstName: 'Bench', lastName: 'User' });
    await mailQueue.idle();
    return acceptInvitation(deps, outbox.entries.findLast((mail) => mail.to === email)!.token);
  };
  const leaver = await activeUser('leaver@bench.example');
  const delegate = await activeUser('delegate@bench.example');

  // Warm-up: JIT and DynamoDB Local's first requests, not measured.
  const warm = await seedOpenWork(deps.table, admin.id, 500);
  await batchRewrite(deps, warm, admin.id, 4);

  const items = await seedOpenWork(deps.table, leaver.id, ITEMS);
  await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });
  const log = countRequests(client);
  const memoryBefore = process.memoryUsage().rss;
  const started = performance.now();
  const job = await runHandoverJob(manual, queued[0]!);
  const handoverMs = performance.now() - started;
  const requests = { reads: log.reads, writes: log.writes };
  const moved = job.moved.tasks + job.moved.activities;
  if (job.status !== 'completed' || moved !== ITEMS) throw new Error(`handover incomplete: ${job.status}, ${moved}/${ITEMS}`);

  // Baselines over the same items (moving them back to the leaver, unconditionally).
  const baselines: Record<string, number> = {};
  for (const inFlight of [1, 4, 8]) baselines[`BatchWriteItem x25, ${inFlight} in flight`] = await batchRewrite(deps, items, leaver.id, inFlight);
  const [fastestName, fastestMs] = Object.entries(baselines).sort((a, b) => a[1] - b[1])[0]!;

  const rate = (ms: number) => Math.round((ITEMS / ms) * 1000);
  console.log(`\nHandover benchmark: ${ITEMS} items on DynamoDB Local (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`);
  console.log('| run | time (ms) | items/s | vs fastest raw loop |');
  console.log('|---|---|---|---|');
  console.log(`| handover job (${job.chunks} transactions) | ${Math.round(handoverMs)} | ${rate(handoverMs)} | ${(handoverMs / fastestMs).toFixed(2)}x |`);
  for (const [name, ms] of Object.entries(baselines)) console.log(`| raw: ${name} | ${Math.round(ms)} | ${rate(ms)} | ${(ms / fastestMs).toFixed(2)}x |`);
  console.log(
    `\nHandover requests: ${requests.reads} reads, ${requests.writes} writes (${(requests.writes / ITEMS).toFixed(3)} write requests per item); fastest raw loop: ${fastestName}.`,
  );
  console.log(`RSS growth during the handover: ${Math.round((process.memoryUsage().rss - memoryBefore) / 1024 / 1024)} MiB.`);
  client.destroy();
} finally {
  await dynamo.stop();
}
