/**
 * Marks outbox items; the stream's event filter (infra) and the relay match on it. A module of
 * its own so the relay, which never touches the table, does not bundle the DynamoDB client.
 */
export const OUTBOX_ENTITY = 'outbox';
