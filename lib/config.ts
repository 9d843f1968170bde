import type { QueueName } from './domain/follow-up';

/**
 * Every setting the functions read, validated once at start-up. A missing or malformed variable
 * fails the cold start loudly, naming every bad variable at once, instead of surfacing later as a
 * confusing error.
 *
 * Read by hand rather than with the schema library: this module is in every function, and the
 * schema features only it would use (URLs, number coercion, defaults) cost each bundle several KiB.
 */
export type Config = {
  tableName: string;
  region: string;
  dynamodbEndpoint: string | undefined;
  appBaseUrl: string;
  invitationTtlHours: number;
  loginChangeTtlHours: number;
  retentionDays: number;
  subjectClaim: string;
  webhookSecretsArn: string | undefined;
  /** Where the Parameters and Secrets extension listens, when the function has it. */
  secretsExtensionPort: number;
  webhookSecrets: Record<string, string | undefined>;
  /** Where event subscriptions may point: `public` (https, public addresses; the default) or `loopback` (npm start). */
  eventTargets: 'public' | 'loopback';
  /** AWS: the public half of the secrets key (SECRETS_PUBLIC_JWK), on the functions that seal or open. */
  secretsPublicJwk: PublicJwk | undefined;
  /** AWS: the Secrets Manager secret holding the private half (SECRETS_PRIVATE_KEY_ARN), on the functions that open only. */
  secretsPrivateKeyArn: string | undefined;
};

/** The public half of the secrets key (a P-256 JWK for ECDH-ES+A256KW, lib/secrets/box.ts). */
export type PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

type Env = Record<string, string | undefined>;

/** Reads variables, collecting what is wrong with them; `done()` throws if anything was. */
class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** The value if set. Set but empty is a mistake (a typo, an unresolved reference), not "unset". */
  private value(name: string): string | undefined {
    const value = this.env[name];
    if (value === '') this.problems.push(`${name}: is set but empty (unset it to use the default)`);
    return value === '' ? undefined : value;
  }

  private check(name: string, ok: boolean, expected: string): void {
    if (!ok) this.problems.push(`${name}: ${expected}`);
  }

  required(name: string, expected = 'is required', valid: (value: string) => boolean = () => true): string {
    const value = this.value(name);
    if (this.env[name] !== '') this.check(name, value !== undefined && valid(value), expected);
    return value ?? '';
  }

  optional(name: string, expected = '', valid: (value: string) => boolean = () => true): string | undefined {
    const value = this.value(name);
    if (value !== undefined) this.check(name, valid(value), expected);
    return value;
  }

  url(name: string): string {
    return this.required(name, 'must be an http(s) URL', isHttpUrl);
  }

  optionalUrl(name: string): string | undefined {
    return this.optional(name, 'must be an http(s) URL', isHttpUrl);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.value(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    this.check(name, /^\d+$/.test(value.trim()) && number >= min && number <= max, `must be a whole number from ${min} to ${max}`);
    return number;
  }

  done(): void {
    if (this.problems.length > 0) throw new Error(`Invalid configuration: ${this.problems.join('; ')}`);
  }
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** A P-256 coordinate: 32 bytes in unpadded base64url. */
const coordinate = /^[A-Za-z0-9_-]{43}$/;

/**
 * The JWK if `text` is a P-256 public key, else undefined. A private half (`d`) is refused: it
 * belongs in the secret, never in an environment variable.
 */
export function parsePublicJwk(text: string): PublicJwk | undefined {
  try {
    const { kty, crv, x, y, d } = JSON.parse(text);
    if (kty === 'EC' && crv === 'P-256' && d === undefined && [x, y].every((c) => typeof c === 'string' && coordinate.test(c))) return { kty, crv, x, y };
  } catch {}
  return undefined;
}

export function loadConfig(env: Env): Config {
  const read = new EnvReader(env);
  const publicJwk = read.optional('SECRETS_PUBLIC_JWK', 'must be a P-256 public JWK (JSON, no "d")', (v) => parsePublicJwk(v) !== undefined);
  const config: Config = {
    tableName: read.required('TABLE_NAME'),
    region: read.optional('AWS_REGION') ?? 'us-east-1',
    dynamodbEndpoint: read.optionalUrl('DYNAMODB_ENDPOINT'),
    appBaseUrl: read.url('APP_BASE_URL'),
    invitationTtlHours: read.integer('INVITATION_TTL_HOURS', 168, 1, 8_760),
    loginChangeTtlHours: read.integer('LOGIN_CHANGE_TTL_HOURS', 24, 1, 8_760),
    retentionDays: read.integer('CLEANUP_RETENTION_DAYS', 90, 1, 36_500),
    /** The JWT claim holding the caller's directory user id (IdPs own `sub`; they can add a custom claim). */
    subjectClaim:
      read.optional('AUTH_SUBJECT_CLAIM', 'must be a claim name (letters, digits, _:./-, at most 128)', (v) => /^[\w:./-]{1,128}$/.test(v)) ?? 'sub',
    /** AWS: a Secrets Manager secret with one signing secret per HR provider. */
    webhookSecretsArn: read.optional('HR_WEBHOOK_SECRETS_ARN', 'must be a secret ARN', (v) => v.startsWith('arn:')),
    secretsExtensionPort: read.integer('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 2773, 1, 65_535),
    /** Local: per-provider secrets. The standard one has a documented development default. */
    webhookSecrets: {
      standard: read.optional('HR_WEBHOOK_SECRET'),
      gusto: read.optional('GUSTO_WEBHOOK_SECRET'),
      bamboohr: read.optional('BAMBOOHR_WEBHOOK_SECRET'),
    },
    eventTargets: (read.optional('EVENT_TARGETS', 'must be public or loopback', (v) => v === 'public' || v === 'loopback') ?? 'public') as
      | 'public'
      | 'loopback',
    secretsPublicJwk: publicJwk === undefined ? undefined : parsePublicJwk(publicJwk),
    secretsPrivateKeyArn: read.optional('SECRETS_PRIVATE_KEY_ARN', 'must be a secret ARN', (v) => v.startsWith('arn:')),
  };
  read.done();
  return config;
}

export type RelayConfig = { region: string; queueUrls: Record<QueueName, string> };

/** The outbox relay's settings: it has no table and no mail, only the queues it feeds. */
export function loadRelayConfig(env: Env): RelayConfig {
  const read = new EnvReader(env);
  const config = {
    region: read.optional('AWS_REGION') ?? 'us-east-1',
    queueUrls: {
      jobs: read.url('JOBS_QUEUE_URL'),
      mail: read.url('MAIL_QUEUE_URL'),
      events: read.url('EVENTS_QUEUE_URL'),
      connectors: read.url('CONNECTORS_QUEUE_URL'),
    },
  };
  read.done();
  return config;
}

export type EventBusPublisherConfig = { region: string; eventBusName: string };

/** An event bus name (or ARN, which PutEvents also takes): what EventBridge allows in a name. */
const eventBusName = /^(arn:[\w-]+:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/;

/** The event bus publisher's settings: only the bus it puts lifecycle events on (no table, no mail). */
export function loadEventBusPublisherConfig(env: Env): EventBusPublisherConfig {
  const read = new EnvReader(env);
  const config = {
    region: read.optional('AWS_REGION') ?? 'us-east-1',
    eventBusName: read.required('EVENT_BUS_NAME', 'must be an event bus name or ARN', (v) => eventBusName.test(v) && v !== 'default'),
  };
  read.done();
  return config;
}

export type MailWorkerConfig = { region: string; tableName: string; mailFrom: string; appBaseUrl: string };

/** The mail worker's settings: the table, the sender identity and where the mailed links open. */
export function loadMailWorkerConfig(env: Env): MailWorkerConfig {
  const read = new EnvReader(env);
  const config = {
    region: read.optional('AWS_REGION') ?? 'us-east-1',
    tableName: read.required('TABLE_NAME'),
    mailFrom: read.required('MAIL_FROM', 'must be the sender address (a verified SES identity)', (v) => /^[^\s@]+@[^\s@]+$/.test(v)),
    appBaseUrl: read.url('APP_BASE_URL'),
  };
  read.done();
  return config;
}
