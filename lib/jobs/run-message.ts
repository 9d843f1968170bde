import type { Mailer } from '../mail/mailer';
import type { Deps } from '../runtime';
import { runEventMessage, runEventMessages } from '../use-cases/event-delivery';
import { mailPendingLink } from '../use-cases/mail';
import { isConnectorMessage, isEventMessage } from '../domain/follow-up';
import { runConnectorMessage } from '../use-cases/provisioning';
import type { OutboxMessage } from './queue';
import { runJob } from './run-job';

/**
 * Runs any outbox message, whichever queue it would take: the in-process stand-in for the relay and
 * both workers (the local server, tests). In AWS each queue has its own worker and bundle.
 */
export async function runMessage(deps: Deps & { mailer: Mailer }, message: OutboxMessage): Promise<void> {
  if (message.type === 'mail') await mailPendingLink(deps, message);
  else if (isEventMessage(message)) await runEventMessage(deps, message);
  else if (isConnectorMessage(message)) await runConnectorMessage(deps, message);
  else await runJob(deps, message);
}

/** Runs a batch of event-delivery messages together, as the events worker runs an SQS batch (the in-process queue's batch lanes). */
export async function runMessages(deps: Deps, messages: OutboxMessage[]): Promise<void> {
  const events = messages.filter(isEventMessage);
  if (events.length !== messages.length) throw new Error('only event-delivery messages run as a batch');
  const failed = await runEventMessages(deps, events);
  if (failed.errors.length > 0) throw failed.errors[0];
}
