import * as z from './zod';
import type { QueueName } from './jobs/queue';

/**
 * Every setting the functions read, validated once at start-up. A missing or malformed variable
 * fails the cold start loudly instead of surfacing later as a confusing error.
 */
const configSchema = z
  .object({
    TABLE_NAME: z.string().check(z.minLength(1)),
    AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
    DYNAMODB_ENDPOINT: z.optional(z.url()),
    MAILER: z._default(z.enum(['ses', 'outbox']), 'ses'),
    MAIL_FROM: z.optional(z.string()),
    APP_BASE_URL: z.url(),
    INVITATION_TTL_HOURS: z._default(z.coerce.number().check(z.int(), z.positive()), 168),
    LOGIN_CHANGE_TTL_HOURS: z._default(z.coerce.number().check(z.int(), z.positive()), 24),
    CLEANUP_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(36_500)), 90),
    /** The JWT claim holding the caller's directory user id (IdPs own `sub`; they can add a custom claim). */
    AUTH_SUBJECT_CLAIM: z._default(z.string().check(z.regex(/^[\w:./-]{1,128}$/)), 'sub'),
    /** AWS: a Secrets Manager secret with one signing secret per HR provider. */
    HR_WEBHOOK_SECRETS_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
    /** Local: per-provider secrets. The standard one has a documented development default. */
    HR_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(1))),
    GUSTO_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(1))),
    BAMBOOHR_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(1))),
  })
  .check(z.refine((c) => c.MAILER !== 'ses' || Boolean(c.MAIL_FROM), { message: 'MAIL_FROM is required when MAILER=ses', path: ['MAIL_FROM'] }));

export type Config = {
  tableName: string;
  region: string;
  dynamodbEndpoint: string | undefined;
  mailer: 'ses' | 'outbox';
  mailFrom: string | undefined;
  appBaseUrl: string;
  invitationTtlHours: number;
  loginChangeTtlHours: number;
  retentionDays: number;
  subjectClaim: string;
  webhookSecretsArn: string | undefined;
  webhookSecrets: Record<string, string | undefined>;
};

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  return {
    tableName: c.TABLE_NAME,
    region: c.AWS_REGION,
    dynamodbEndpoint: c.DYNAMODB_ENDPOINT,
    mailer: c.MAILER,
    mailFrom: c.MAIL_FROM,
    appBaseUrl: c.APP_BASE_URL,
    invitationTtlHours: c.INVITATION_TTL_HOURS,
    loginChangeTtlHours: c.LOGIN_CHANGE_TTL_HOURS,
    retentionDays: c.CLEANUP_RETENTION_DAYS,
    subjectClaim: c.AUTH_SUBJECT_CLAIM,
    webhookSecretsArn: c.HR_WEBHOOK_SECRETS_ARN,
    webhookSecrets: { standard: c.HR_WEBHOOK_SECRET, gusto: c.GUSTO_WEBHOOK_SECRET, bamboohr: c.BAMBOOHR_WEBHOOK_SECRET },
  };
}

export type RelayConfig = { region: string; queueUrls: Record<QueueName, string> };

/**
 * The outbox relay's settings. It has no table and no mail, only the queues it feeds
 * (JOBS_QUEUE_URL, MAIL_QUEUE_URL), so it reads just these (and stays free of the schema library's weight).
 */
export function loadRelayConfig(env: Record<string, string | undefined>): RelayConfig {
  const queueUrl = (name: QueueName) => {
    const variable = `${name.toUpperCase()}_QUEUE_URL`;
    const url = env[variable] ?? '';
    if (!URL.canParse(url)) throw new Error(`Invalid configuration: ${variable}: must be the ${name} queue URL`);
    return url;
  };
  return { region: env.AWS_REGION || 'us-east-1', queueUrls: { jobs: queueUrl('jobs'), mail: queueUrl('mail') } };
}
