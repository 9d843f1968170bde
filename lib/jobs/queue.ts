import { isConnectorMessage, isEventMessage, type OutboxMessage, type QueueName } from '../domain/follow-up';

export {
  connectorMessageSchema,
  eventMessageSchema,
  jobMessageSchema,
  mailMessageSchema,
  outboxMessageSchema,
  queueNames,
  type ConnectorMessage,
  type EventMessage,
  isEventMessage,
  type JobMessage,
  type MailMessage,
  type OutboxMessage,
  type QueueName,
} from '../domain/follow-up';

/** The jobs queue carries handover jobs and HR deliveries to apply; mail, event delivery and connectors have their own. */
export function queueOf(message: OutboxMessage): QueueName {
  if (message.type === 'mail') return 'mail';
  if (isConnectorMessage(message)) return 'connectors';
  return isEventMessage(message) ? 'events' : 'jobs';
}
