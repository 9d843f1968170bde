import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDocumentClient, type TableRef } from '../../lib/data/client';
import type { Mailer } from '../../lib/mail/mailer';
import { OutboxMailer, type OutboxEntry } from '../../lib/mail/outbox-mailer';
import { ensureTable } from '../../lib/local/table';
import type { Deps } from '../../lib/runtime';
import { InProcessQueue } from '../../lib/jobs/in-process-queue';
import { runMessage, runMessages } from '../../lib/jobs/run-message';
import type { OutboxMessage } from '../../lib/jobs/queue';
import { StaticWebhookSecrets } from '../../lib/webhooks/secrets';
import { ephemeralSecretBox } from '../../lib/secrets/box';

/** Signing secrets the tests' HR systems use. */
export const testWebhookSecrets = {
  standard: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  gusto: 'gusto-verification-token-for-tests',
  bamboohr: 'bamboohr-private-key-for-tests',
};

export type TestDeps = Deps & {
  /** What the in-process mail worker sends with: the outbox. */
  mailer: Mailer;
  outbox: OutboxMailer;
  jobs: InProcessQueue;
  /** The mail sent so far, once the queued work (the mail worker's included) has run. */
  sentMail(): Promise<OutboxEntry[]>;
  /** Freezes the clock at a time; `null` lets it run live again. */
  setNow(date: Date | string | null): void;
};

/** A fresh table on the run's DynamoDB Local, so test files never see each other's data. */
export async function createTestTable(): Promise<TableRef> {
  const client = createDocumentClient({ region: 'us-east-1', endpoint: inject('dynamoEndpoint') });
  const name = `test-${randomUUID()}`;
  await ensureTable(client, name);
  return { client, name };
}

/** Dependencies on a fresh table, with a settable clock and the in-memory outbox as mailer. */
export async function createTestDeps(): Promise<TestDeps> {
  const table = await createTestTable();
  let now: Date | undefined;
  const clock = () => now ?? new Date();
  const outbox = new OutboxMailer('http://directory.test', clock);
  const deps: TestDeps = {
    table,
    mailer: outbox,
    outbox,
    jobs: new InProcessQueue(),
    sentMail: async () => {
      await deps.jobs.idle();
      return outbox.entries;
    },
    webhookSecrets: new StaticWebhookSecrets(testWebhookSecrets),
    secretBox: ephemeralSecretBox(),
    clock,
    settings: { invitationTtlHours: 168, loginChangeTtlHours: 24, retentionDays: 90 },
    // Receivers in tests listen on loopback; attempts time out fast.
    events: { targets: 'loopback', timeoutMs: 2_000 },
    setNow: (date) => (now = date === null ? undefined : new Date(date)),
  };
  deps.jobs.attach(
    (message) => runMessage(deps, message),
    (messages) => runMessages(deps, messages),
  );
  // Stands in for the stream: what a committed write puts in the outbox runs in-process.
  table.relay = (messages) => messages.forEach((message) => void deps.jobs.enqueue(message));
  return deps;
}

/**
 * The same dependencies, but committed outbox messages are collected instead of run (as if the
 * relay were down): the test decides when, or whether, they run. Lifecycle-event deliveries
 * (`events`, `deliver`) are left out of `held`: tests of other work have no subscribers.
 */
export function holdingJobs<D extends Deps>(deps: D): { deps: D; held: OutboxMessage[] } {
  const held: OutboxMessage[] = [];
  const relay = (messages: OutboxMessage[]) => void held.push(...messages.filter((m) => m.type !== 'events' && m.type !== 'deliver'));
  return { deps: { ...deps, table: { ...deps.table, relay } }, held };
}

/** Every item whose key starts with a prefix (tests only: Scan is never used by the product). */
export async function itemsWithPrefix(table: TableRef, prefix: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': prefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Runs test code around the next TransactWriteItems requests a client sends (after the n-th
 * committed, or before one is sent): how a test stops or disturbs a job between its transactions
 * without seams in the product. Work the callbacks do themselves is not intercepted.
 */
export function aroundTransactions(table: TableRef, hooks: { before?: (n: number) => Promise<void>; after?: (n: number) => Promise<void> }): () => void {
  const name = `aroundTransactions-${randomUUID()}`;
  let count = 0;
  let inside = false;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || inside) return next(args);
      const n = ++count;
      inside = true;
      try {
        await hooks.before?.(n);
      } finally {
        inside = false;
      }
      const result = await next(args);
      inside = true;
      try {
        await hooks.after?.(n);
      } finally {
        inside = false;
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return () => void table.client.middlewareStack.remove(name);
}
