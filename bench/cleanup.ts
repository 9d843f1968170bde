/**
 * Benchmark: the cleanup sweep on DynamoDB Local with 100,000 users of which 1,000 are stale
 * (dismissed more than 90 days ago). Run: `npm run bench:cleanup` (USERS=n STALE=n to change).
 *
 * Reports the index items the sweep read (the point: about 1,000, not 100,000), its time, the
 * process's peak memory while it ran, and the ratio to the fastest raw write loop over the same
 * 1,000 accounts in the same run (unconditional BatchWriteItem: the anonymised user item and the
 * deletes of its claims, 25 requests per batch, 1, 4 or 8 batches in flight).
 */
import { batchWrite as batchWriteTable, type WriteRequest } from './batch-write';
import { countRequests, createDocumentClient } from '../lib/data/client';
import { keys } from '../lib/data/keys';
import { userToItem } from '../lib/data/users';
import { blankUserFields, type User } from '../lib/domain/user';
import { startDynamoLocal } from '../lib/local/dynamodb-local';
import { ensureTable } from '../lib/local/table';
import type { Deps } from '../lib/runtime';
import { anonymised } from '../lib/domain/cleanup';
import { runCleanup } from '../lib/use-cases/cleanup';
import { StaticWebhookSecrets } from '../lib/webhooks/secrets';
import { newId } from '../lib/data/ids';
import { ephemeralSecretBox } from '../lib/secrets/box';

const USERS = Number(process.env.USERS ?? 100_000);
const STALE = Number(process.env.STALE ?? 1_000);
const DAY = 86_400_000;

type Request = WriteRequest;
const batchWrite = (deps: Deps, requests: Request[], inFlight: number) => batchWriteTable(deps.table, requests, inFlight);

function makeUser(i: number, dismissedAt: string | null, createdAt: string): User {
  return {
    ...blankUserFields,
    id: newId(),
    type: 'employee',
    status: dismissedAt ? 'dismissed' : 'active',
    loginEmail: `user-${i}@bench.example`,
    contactEmail: `user-${i}@home.example`,
    firstName: 'Bench',
    lastName: `User ${i}`,
    externalId: `HR-${i}`,
    createdAt,
    updatedAt: createdAt,
    dismissedAt,
    version: 1,
  };
}

const claimPuts = (user: User): Request[] => [
  { PutRequest: { Item: { ...keys.emailClaim(user.loginEmail), entity: 'emailClaim', email: user.loginEmail, userId: user.id, roles: ['login'] } } },
  { PutRequest: { Item: { ...keys.emailClaim(user.contactEmail!), entity: 'emailClaim', email: user.contactEmail, userId: user.id, roles: ['contact'] } } },
  { PutRequest: { Item: { ...keys.externalIdClaim(user.externalId!), entity: 'externalIdClaim', externalId: user.externalId, userId: user.id } } },
];

const dynamo = await startDynamoLocal();
try {
  const client = createDocumentClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(client, 'bench');
  const deps: Deps = {
    table: { client, name: 'bench' },
    webhookSecrets: new StaticWebhookSecrets({}),
    secretBox: ephemeralSecretBox(),
    clock: () => new Date(),
    settings: { invitationTtlHours: 1, loginChangeTtlHours: 1, retentionDays: 90 },
  };
  const now = Date.now();
  const old = new Date(now - 400 * DAY).toISOString();
  // 1,000 stale, 9,000 recently dismissed, the rest active: every dismissed user is in the index.
  const users = Array.from({ length: USERS }, (_, i) => {
    const dismissedAt =
      i < STALE ? new Date(now - (91 + (i % 200)) * DAY).toISOString() : i < STALE + 9_000 ? new Date(now - (i % 80) * DAY).toISOString() : null;
    return makeUser(i, dismissedAt, old);
  });
  const seedStarted = performance.now();
  await batchWrite(
    deps,
    users.flatMap((user, i) => [{ PutRequest: { Item: userToItem(user) } }, ...(i < STALE ? claimPuts(user) : [])]),
    8,
  );
  console.log(`Seeded ${USERS} users (${STALE} stale) in ${Math.round((performance.now() - seedStarted) / 1000)} s`);

  const log = countRequests(client);
  let peakRss = process.memoryUsage().rss;
  const baselineRss = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const report = await runCleanup(deps, { dryRun: false, retentionDays: 90, actorId: null });
  clearInterval(sampler);
  const requests = { reads: log.reads, writes: log.writes };
  if (report.swept !== STALE) throw new Error(`swept ${report.swept} of ${STALE}`);

  // Baselines: the same 1,000 accounts, the same item writes, no conditions, no transactions.
  const stale = users.slice(0, STALE);
  const raw = stale.flatMap((user): Request[] => [
    { PutRequest: { Item: userToItem(anonymised(user, new Date().toISOString())) } },
    { DeleteRequest: { Key: keys.emailClaim(user.loginEmail) } },
    { DeleteRequest: { Key: keys.emailClaim(user.contactEmail!) } },
    { DeleteRequest: { Key: keys.externalIdClaim(user.externalId!) } },
  ]);
  const baselines: Record<string, number> = {};
  for (const inFlight of [1, 4, 8]) baselines[`BatchWriteItem x25, ${inFlight} in flight`] = await batchWrite(deps, raw, inFlight);
  const [fastestName, fastestMs] = Object.entries(baselines).sort((a, b) => a[1] - b[1])[0]!;

  console.log(`\nCleanup benchmark: ${USERS} users, ${STALE} stale, on DynamoDB Local (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n`);
  console.log('| run | time (ms) | accounts/s | vs fastest raw loop |');
  console.log('|---|---|---|---|');
  console.log(
    `| cleanup sweep (${report.swept} transactions) | ${report.durationMs} | ${Math.round((STALE / report.durationMs) * 1000)} | ${(report.durationMs / fastestMs).toFixed(2)}x |`,
  );
  for (const [name, ms] of Object.entries(baselines))
    console.log(`| raw: ${name} | ${Math.round(ms)} | ${Math.round((STALE / ms) * 1000)} | ${(ms / fastestMs).toFixed(2)}x |`);
  console.log(
    `\nItems read by the sweep: ${report.itemsRead} index entries (of ${USERS} users, ${STALE + 9_000} dismissed); requests: ${requests.reads} reads, ${requests.writes} writes; fastest raw loop: ${fastestName}.`,
  );
  console.log(
    `Peak RSS during the sweep: ${Math.round(peakRss / 1024 / 1024)} MiB (${Math.round((peakRss - baselineRss) / 1024 / 1024)} MiB above the start of the sweep).`,
  );
  client.destroy();
} finally {
  await dynamo.stop();
}
