import * as z from '../zod';

/*
 * The follow-up work a change asks for, as it travels in the outbox, the stream and the queues:
 * the contract between the commit step (which writes it in the change's transaction) and the
 * workers (which run it after). Ids only: no secret, no personal data.
 */

/** See lib/domain/audit.ts: esbuild drops an unused schema only when its builder is marked pure. */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/** Work that runs after the request that committed it: a handover job, or an HR delivery to apply. */
export const jobMessageSchema = pure(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('handover'), jobId: z.string().check(z.minLength(1)) }),
    z.object({ type: z.literal('hrDelivery'), provider: z.string().check(z.minLength(1)), deliveryId: z.string().check(z.minLength(1)) }),
  ]),
);
export type JobMessage = z.infer<typeof jobMessageSchema>;

/**
 * A link to mail: the pending invitation or login-email change of a user, as asked for by request
 * `requestId`. Ids only: the token is issued by the mail worker, and the address and name are read
 * from the table, so neither a secret nor personal data travels through the stream and the queue.
 */
export const mailMessageSchema = pure(() =>
  z.object({
    type: z.literal('mail'),
    kind: z.enum(['invitation', 'loginChange']),
    userId: z.string().check(z.minLength(1)),
    requestId: z.string().check(z.minLength(1)),
  }),
);
export type MailMessage = z.infer<typeof mailMessageSchema>;

/**
 * Lifecycle events to deliver to webhook subscribers (rule 13, docs/events.md): `events` is written
 * by the commit step beside each user's event (fan out to the subscriptions and connectors);
 * `deliver` is one subscription's turn to send that user's undelivered events, in sequence order
 * (through `sequence` when the sender knew it; a run reads those events by key). Ids only.
 */
export const eventMessageSchema = pure(() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('events'),
      userId: z.string().check(z.minLength(1)),
      eventType: z.string().check(z.minLength(1)),
      sequence: z.optional(z.int().check(z.positive())),
    }),
    z.object({
      type: z.literal('deliver'),
      subscriptionId: z.string().check(z.minLength(1)),
      userId: z.string().check(z.minLength(1)),
      sequence: z.optional(z.int().check(z.positive())),
    }),
  ]),
);
export type EventMessage = z.infer<typeof eventMessageSchema>;

/**
 * Connected systems (rule 14, docs/connectors.md): `provision` is one SCIM connector's turn to
 * apply that user's latest state (at least as of `sequence`, when the sender knew it); `connectorSync` runs a step of a connector's reconciliation job.
 * A queue and worker of their own, so the events worker never bundles the SCIM client. Ids only.
 */
export const connectorMessageSchema = pure(() =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('provision'),
      connectorId: z.string().check(z.minLength(1)),
      userId: z.string().check(z.minLength(1)),
      sequence: z.optional(z.int().check(z.positive())),
    }),
    z.object({ type: z.literal('connectorSync'), jobId: z.string().check(z.minLength(1)) }),
  ]),
);
export type ConnectorMessage = z.infer<typeof connectorMessageSchema>;

/** Whether a message is event delivery's (the events queue and worker). */
export function isEventMessage(message: { type: string }): message is EventMessage {
  return message.type === 'events' || message.type === 'deliver';
}

/** Whether a message is the connectors' (their queue and worker). */
export function isConnectorMessage(message: { type: string }): message is ConnectorMessage {
  return message.type === 'provision' || message.type === 'connectorSync';
}

/** Everything an outbox item can carry. */
export const outboxMessageSchema = pure(() => z.union([jobMessageSchema, mailMessageSchema, eventMessageSchema, connectorMessageSchema]));
export type OutboxMessage = JobMessage | MailMessage | EventMessage | ConnectorMessage;

/**
 * The queues the relay feeds, one per worker: mail has its own so the jobs worker never bundles
 * the mail client, and a mail outage never holds up handovers (nor the reverse); event delivery
 * has its own so a slow subscriber never holds up either, and the jobs worker never bundles it;
 * connectors have their own so the events worker never bundles the SCIM client.
 */
export const queueNames = ['jobs', 'mail', 'events', 'connectors'] as const;
export type QueueName = (typeof queueNames)[number];
