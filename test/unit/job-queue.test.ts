import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../lib/jobs/in-process-queue';
import { SqsJobQueue } from '../../lib/jobs/sqs-queue';

describe('SQS job queue adapter', () => {
  it('sends one message naming the job to the configured queue', async () => {
    const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const sqs = mockClient(client);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    await new SqsJobQueue(client, 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs').enqueue({ type: 'handover', jobId: 'JOB1' });

    const [call] = sqs.commandCalls(SendMessageCommand);
    expect(call!.args[0].input).toEqual({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs', MessageBody: '{"type":"handover","jobId":"JOB1"}' });
  });

  it('fails clearly when the function was deployed without a queue', async () => {
    await expect(new SqsJobQueue(new SQSClient({ region: 'us-east-1' }), undefined).enqueue({ type: 'handover', jobId: 'JOB1' })).rejects.toThrow('JOBS_QUEUE_URL');
  });
});

describe('in-process job queue', () => {
  it('runs each job after the current request and retries a failed attempt', async () => {
    const attempts: string[] = [];
    const queue = new InProcessJobQueue(3).attach(async (message) => {
      attempts.push(message.type === 'handover' ? message.jobId : message.deliveryId);
      if (attempts.length === 1) throw new Error('transient');
    });
    await queue.enqueue({ type: 'handover', jobId: 'JOB1' });
    expect(attempts).toEqual([]);
    await queue.idle();
    expect(attempts).toEqual(['JOB1', 'JOB1']);
  });
});
