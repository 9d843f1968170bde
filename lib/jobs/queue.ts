import { isEventMessage, type OutboxMessage, type QueueName } from '../domain/follow-up';

export {
  eventMessageSchema,
  jobMessageSchema,
  mailMessageSchema,
  outboxMessageSchema,
  queueNames,
  type EventMessage,
  isEventMessage,
  type JobMessage,
  type MailMessage,
  type OutboxMessage,
  type QueueName,
} from '../domain/follow-up';

/** The jobs queue carries handover jobs and HR deliveries to apply; mail and event delivery have their own. */
export function queueOf(message: OutboxMessage): QueueName {
  if (message.type === 'mail') return 'mail';
  return isEventMessage(message) ? 'events' : 'jobs';
}
