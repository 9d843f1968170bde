import { connectorMessageSchema } from '../lib/jobs/queue';
import { queueWorker } from '../lib/jobs/sqs-consumer';
import { runtime } from '../lib/runtime';
import { secretBoxFor } from '../lib/secrets/aws';
import { runConnectorMessage } from '../lib/use-cases/provisioning';

/**
 * Consumer of the connectors queue: applies one (connector, user) pair's latest state to that SCIM
 * system, or runs one step of a connector sync job (docs/connectors.md).
 */
export const handler = queueWorker(connectorMessageSchema, (message) => runConnectorMessage(runtime({ secretBoxFor }), message));
