import { describe, expect, it } from 'vitest';
import { loadConfig, loadEventBusPublisherConfig, loadMailWorkerConfig, loadRelayConfig } from '../../lib/config';

const minimal = { TABLE_NAME: 'directory', APP_BASE_URL: 'https://directory.corp.example' };

describe('configuration, read once at cold start', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(minimal)).toEqual({
      tableName: 'directory',
      region: 'us-east-1',
      dynamodbEndpoint: undefined,
      appBaseUrl: 'https://directory.corp.example',
      invitationTtlHours: 168,
      loginChangeTtlHours: 24,
      retentionDays: 90,
      subjectClaim: 'sub',
      webhookSecretsArn: undefined,
      secretsExtensionPort: 2773,
      webhookSecrets: { standard: undefined, gusto: undefined, bamboohr: undefined },
      eventTargets: 'public',
    });
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      ...minimal,
      AWS_REGION: 'eu-central-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      INVITATION_TTL_HOURS: '72',
      LOGIN_CHANGE_TTL_HOURS: '2',
      CLEANUP_RETENTION_DAYS: '365',
      AUTH_SUBJECT_CLAIM: 'https://corp.example/directory_user_id',
      HR_WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hr-AbCdEf',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2774',
      GUSTO_WEBHOOK_SECRET: 'g',
    });
    expect(config).toMatchObject({
      region: 'eu-central-1',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      invitationTtlHours: 72,
      loginChangeTtlHours: 2,
      retentionDays: 365,
      subjectClaim: 'https://corp.example/directory_user_id',
      webhookSecretsArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hr-AbCdEf',
      secretsExtensionPort: 2774,
      webhookSecrets: { gusto: 'g' },
    });
  });

  it('refuses a bad configuration naming every bad variable at once, never falling back silently', () => {
    const attempt = () =>
      loadConfig({
        APP_BASE_URL: 'directory.corp.example',
        INVITATION_TTL_HOURS: '1.5',
        CLEANUP_RETENTION_DAYS: '0',
        AUTH_SUBJECT_CLAIM: 'has space',
        HR_WEBHOOK_SECRETS_ARN: 'hr-secret',
      });
    expect(attempt).toThrow(
      'Invalid configuration: TABLE_NAME: is required; APP_BASE_URL: must be an http(s) URL; INVITATION_TTL_HOURS: must be a whole number from 1 to 8760; CLEANUP_RETENTION_DAYS: must be a whole number from 1 to 36500; AUTH_SUBJECT_CLAIM: must be a claim name (letters, digits, _:./-, at most 128); HR_WEBHOOK_SECRETS_ARN: must be a secret ARN',
    );
    expect(() => loadConfig({ ...minimal, DYNAMODB_ENDPOINT: 'ftp://127.0.0.1' })).toThrow('DYNAMODB_ENDPOINT: must be an http(s) URL');
    expect(() => loadConfig({ ...minimal, LOGIN_CHANGE_TTL_HOURS: 'twelve' })).toThrow('LOGIN_CHANGE_TTL_HOURS: must be a whole number');
    // Set but empty is an error, not a quiet fall-back (an empty secret ARN would make every provider 404).
    expect(() => loadConfig({ ...minimal, HR_WEBHOOK_SECRETS_ARN: '', HR_WEBHOOK_SECRET: '' })).toThrow(
      'Invalid configuration: HR_WEBHOOK_SECRETS_ARN: is set but empty (unset it to use the default); HR_WEBHOOK_SECRET: is set but empty (unset it to use the default)',
    );
    expect(() => loadConfig({ ...minimal, TABLE_NAME: '' })).toThrow('Invalid configuration: TABLE_NAME: is set but empty (unset it to use the default)');
  });

  it('gives the relay its four queue URLs and nothing else', () => {
    const urls = {
      JOBS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/jobs',
      MAIL_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/mail',
      EVENTS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/events',
      CONNECTORS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/connectors',
    };
    expect(loadRelayConfig({ ...urls, AWS_REGION: 'eu-central-1' })).toEqual({
      region: 'eu-central-1',
      queueUrls: { jobs: urls.JOBS_QUEUE_URL, mail: urls.MAIL_QUEUE_URL, events: urls.EVENTS_QUEUE_URL, connectors: urls.CONNECTORS_QUEUE_URL },
    });
    expect(() => loadRelayConfig({ JOBS_QUEUE_URL: urls.JOBS_QUEUE_URL })).toThrow('Invalid configuration: MAIL_QUEUE_URL: must be an http(s) URL');
  });

  it('gives the mail worker the table, the sender address and the base of the mailed links', () => {
    expect(loadMailWorkerConfig({ ...minimal, MAIL_FROM: 'no-reply@corp.example' })).toEqual({
      region: 'us-east-1',
      tableName: 'directory',
      mailFrom: 'no-reply@corp.example',
      appBaseUrl: 'https://directory.corp.example',
    });
    expect(() => loadMailWorkerConfig(minimal)).toThrow('MAIL_FROM: must be the sender address (a verified SES identity)');
  });
});

describe('event bus publisher configuration', () => {
  it('reads the bus name (or ARN), and nothing else', () => {
    expect(loadEventBusPublisherConfig({ EVENT_BUS_NAME: 'EmployeeDirectoryStatelessEventBus1234' })).toEqual({
      region: 'us-east-1',
      eventBusName: 'EmployeeDirectoryStatelessEventBus1234',
    });
    const arn = 'arn:aws:events:eu-central-1:123456789012:event-bus/directory';
    expect(loadEventBusPublisherConfig({ EVENT_BUS_NAME: arn, AWS_REGION: 'eu-central-1' }).eventBusName).toBe(arn);
  });

  it('refuses a missing or invalid name, and the default bus (events must go to the archived one)', () => {
    expect(() => loadEventBusPublisherConfig({})).toThrow('EVENT_BUS_NAME: must be an event bus name or ARN');
    expect(() => loadEventBusPublisherConfig({ EVENT_BUS_NAME: 'has space' })).toThrow('EVENT_BUS_NAME: must be an event bus name or ARN');
    expect(() => loadEventBusPublisherConfig({ EVENT_BUS_NAME: 'default' })).toThrow('EVENT_BUS_NAME');
  });
});
