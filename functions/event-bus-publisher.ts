import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadEventBusPublisherConfig } from '../lib/config';
import { publishToBus } from '../lib/events/bus';
import { EventBridgeBus } from '../lib/events/eventbridge-bus';
import { logger } from '../lib/logger';

const config = loadEventBusPublisherConfig(process.env);
const bus = new EventBridgeBus(new EventBridgeClient({ region: config.region }));

/**
 * Triggered by the table's stream, filtered to new lifecycle-event items: puts each on the stack's
 * EventBridge bus (docs/events.md, "EventBridge"). It may put events on that bus only, and never
 * touches the table itself.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  try {
    return await publishToBus(event.Records, bus, config.eventBusName);
  } finally {
    logger.resetKeys();
  }
};
