import type { OutboxMessage, QueueName } from '../domain/follow-up';

export {
  eventMessageSchema,
  jobMessageSchema,
  mailMessageSchema,
  outboxMessageSchema,
  queueNames,
  type EventMessage,
  type JobMessage,
  type MailMessage,
  type OutboxMessage,
  type QueueName,
} from '../domain/follow-up';

/** The jobs queue carries handover jobs and HR deliveries to apply; mail and event delivery have their own. */
export function queueOf(message: OutboxMessage): QueueName {
  if (message.type === 'mail') return 'mail';
  return message.type === 'events' || message.type === 'deliver' ? 'events' : 'jobs';
}
