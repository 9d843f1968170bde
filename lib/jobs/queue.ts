import type { OutboxMessage, QueueName } from '../domain/follow-up';

export {
  jobMessageSchema,
  mailMessageSchema,
  outboxMessageSchema,
  queueNames,
  type JobMessage,
  type MailMessage,
  type OutboxMessage,
  type QueueName,
} from '../domain/follow-up';

/** The jobs queue carries handover jobs and HR deliveries to apply; mail has its own. */
export function queueOf(message: OutboxMessage): QueueName {
  return message.type === 'mail' ? 'mail' : 'jobs';
}
