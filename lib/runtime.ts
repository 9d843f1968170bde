import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { InProcessJobQueue, SqsJobQueue, type JobQueue } from './jobs/queue';
import { runJob } from './jobs/run-job';
import { SecretsManagerWebhookSecrets, StaticWebhookSecrets, type WebhookSecrets } from './webhooks/secrets';
import { loadConfig, type Config } from './config';
import { createDocumentClient, type TableRef } from './data/client';
import type { Mailer } from './mail/mailer';
import { OutboxMailer } from './mail/outbox-mailer';
import { SesMailer } from './mail/ses-mailer';

/** Everything a use case needs from the outside world, passed explicitly so tests can swap it. */
export type Deps = {
  table: TableRef;
  mailer: Mailer;
  jobs: JobQueue;
  webhookSecrets: WebhookSecrets;
  clock: () => Date;
  settings: { invitationTtlHours: number; loginChangeTtlHours: number; retentionDays: number };
};

export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  const inline = new InProcessJobQueue();
  const deps: Deps = {
    table: { client, name: config.tableName },
    mailer:
      config.mailer === 'outbox'
        ? new OutboxMailer(config.appBaseUrl)
        : new SesMailer(new SESv2Client({ region: config.region }), config.mailFrom!, config.appBaseUrl),
    clock: () => new Date(),
    jobs: config.jobs === 'inline' ? inline : new SqsJobQueue(new SQSClient({ region: config.region }), config.jobsQueueUrl),
    webhookSecrets: config.webhookSecretsArn ? new SecretsManagerWebhookSecrets(config.webhookSecretsArn) : new StaticWebhookSecrets(config.webhookSecrets),
    settings: { invitationTtlHours: config.invitationTtlHours, loginChangeTtlHours: config.loginChangeTtlHours, retentionDays: config.retentionDays },
    ...overrides,
  };
  inline.attach((message) => runJob(deps, message));
  return deps;
}

let current: Deps | undefined;

/** The process-wide dependencies: built from the environment on first use (a Lambda cold start). */
export function runtime(): Deps {
  current ??= createDeps(loadConfig(process.env));
  return current;
}

/** The local server and tests install their own dependencies before serving. */
export function installRuntime(deps: Deps): void {
  current = deps;
}
