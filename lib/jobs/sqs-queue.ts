import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BatchQueue } from './relay';
import type { OutboxMessage } from './queue';

/** AWS adapter: the relay's messages as SQS messages on one queue; its worker consumes them (dead-letter queue after 5 receives). */
export class SqsBatchQueue implements BatchQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueueBatch(messages: OutboxMessage[]): Promise<number[]> {
    if (messages.length === 0) return [];
    const result = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
      }),
    );
    return (result.Failed ?? []).map((failure) => Number(failure.Id));
  }
}
