import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../../lib/data/ids';
import { pairKey } from '../../lib/data/delivery-pairs';
import { putDelivery } from '../../lib/data/subscriptions';
import type { Deps } from '../../lib/runtime';

/** One request a test receiver got: the body parsed, the headers as sent. */
export type Received = {
  body: { type: string; timestamp: string; data: { userId: string; sequence: number } & Record<string, unknown> };
  raw: string;
  headers: IncomingHttpHeaders;
};

/**
 * A webhook subscriber on loopback, for tests: records what it receives and answers `status()`
 * (200 by default; a test makes it fail, or hang, for a while).
 */
export async function startReceiver() {
  const received: Received[] = [];
  let answer: number | 'hang' = 200;
  let onReceive: (() => unknown) | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (answer === 'hang') return; // never answers: the sender's timeout ends the attempt
      const raw = Buffer.concat(chunks).toString('utf8');
      if (answer >= 200 && answer < 300) received.push({ body: JSON.parse(raw), raw, headers: req.headers });
      const status = answer;
      // Something a test does while the sender waits for the answer (once).
      const hook = onReceive;
      onReceive = undefined;
      void Promise.resolve(hook?.()).finally(() => res.writeHead(status).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer(status: number | 'hang') {
      answer = status;
    },
    /** Runs `hook` when the next request arrives, and answers once it has settled. */
    onReceive(hook: () => unknown) {
      onReceive = hook;
    },
    /** Whether a request carries a valid Standard Webhooks signature by this secret. */
    verifies(request: Received, secret: string): boolean {
      try {
        new Webhook(secret).verify(request.raw, request.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A parked delivery of an event of a user with no events (the authorization matrix retries it). */
export async function seedParkedDelivery(deps: Deps, subscriptionId: string): Promise<string> {
  const eventId = newId();
  const userId = newId();
  const at = deps.clock().toISOString();
  await deps.table.client.send(
    new PutCommand({
      TableName: deps.table.name,
      Item: {
        ...pairKey({ kind: 'subscription', id: subscriptionId }, userId),
        entity: 'eventProgress',
        targetKind: 'subscription',
        targetId: subscriptionId,
        userId,
        lastDelivered: 0,
        status: 'parked',
        attempts: 9,
        firstFailedAt: at,
      },
    }),
  );
  await putDelivery(deps.table, subscriptionId, {
    eventId,
    userId,
    sequence: 1,
    type: 'user.invited',
    status: 'parked',
    attempts: 9,
    lastStatusCode: 500,
    lastError: 'answered 500',
    nextAttemptAt: null,
    updatedAt: at,
  });
  return eventId;
}
