import * as z from 'zod';

/**
 * Every setting the functions read, validated once at start-up. A missing or malformed variable
 * fails the cold start loudly instead of surfacing later as a confusing error.
 */
const configSchema = z
  .object({
    TABLE_NAME: z.string().min(1),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    DYNAMODB_ENDPOINT: z.url().optional(),
    MAILER: z.enum(['ses', 'outbox']).default('ses'),
    MAIL_FROM: z.string().optional(),
    APP_BASE_URL: z.url(),
    INVITATION_TTL_HOURS: z.coerce.number().int().positive().default(168),
    LOGIN_CHANGE_TTL_HOURS: z.coerce.number().int().positive().default(24),
    JOBS: z.enum(['sqs', 'inline']).default('sqs'),
    CLEANUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
    /** The JWT claim holding the caller's directory user id (IdPs own `sub`; they can add a custom claim). */
    AUTH_SUBJECT_CLAIM: z.string().regex(/^[\w:./-]{1,128}$/).default('sub'),
    JOBS_QUEUE_URL: z.url().optional(),
    /** AWS: a Secrets Manager secret with one signing secret per HR provider. */
    HR_WEBHOOK_SECRETS_ARN: z.string().startsWith('arn:').optional(),
    /** Local: per-provider secrets. The standard one has a documented development default. */
    HR_WEBHOOK_SECRET: z.string().min(1).optional(),
    GUSTO_WEBHOOK_SECRET: z.string().min(1).optional(),
    BAMBOOHR_WEBHOOK_SECRET: z.string().min(1).optional(),
  })
  .refine((c) => c.MAILER !== 'ses' || Boolean(c.MAIL_FROM), { message: 'MAIL_FROM is required when MAILER=ses', path: ['MAIL_FROM'] });

export type Config = {
  tableName: string;
  region: string;
  dynamodbEndpoint: string | undefined;
  mailer: 'ses' | 'outbox';
  mailFrom: string | undefined;
  appBaseUrl: string;
  invitationTtlHours: number;
  loginChangeTtlHours: number;
  jobs: 'sqs' | 'inline';
  retentionDays: number;
  subjectClaim: string;
  jobsQueueUrl: string | undefined;
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
    jobs: c.JOBS,
    retentionDays: c.CLEANUP_RETENTION_DAYS,
    subjectClaim: c.AUTH_SUBJECT_CLAIM,
    jobsQueueUrl: c.JOBS_QUEUE_URL,
    webhookSecretsArn: c.HR_WEBHOOK_SECRETS_ARN,
    webhookSecrets: { standard: c.HR_WEBHOOK_SECRET, gusto: c.GUSTO_WEBHOOK_SECRET, bamboohr: c.BAMBOOHR_WEBHOOK_SECRET },
  };
}
