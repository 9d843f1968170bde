import type { Environment } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** Steady-state requests per second and burst of an API Gateway token bucket. */
export type Throttle = { rateLimit: number; burstLimit: number };

/** Every route of the stage by default (the admin routes): 50 requests/s, burst 100. */
export const defaultApiThrottle: Throttle = { rateLimit: 50, burstLimit: 100 };

/**
 * Each public route (HR webhooks, invitation acceptance, login-change confirmation, the OpenAPI
 * document): its own, lower limit, so an unauthenticated flood is refused at the gateway before it
 * takes Lambda concurrency and table capacity from the admins' routes.
 */
export const defaultPublicRouteThrottle: Throttle = { rateLimit: 10, burstLimit: 20 };

export type DirectorySettings = {
  /** OIDC issuer whose tokens the JWT authorizer accepts (an https URL). */
  jwtIssuer: string;
  /** Audience (`aud`) those tokens must carry. */
  jwtAudience: string;
  /**
   * Scopes the JWT authorizer requires on the admin routes (a token needs one of them in its
   * `scope`/`scp` claim). Empty or absent: none required, so any token of the issuer and audience
   * passes, ID tokens included.
   */
  jwtScopes?: readonly string[];
  /** The sender address (MAIL_FROM), a plain address. */
  mailFrom: string;
  /**
   * The SES identity that is verified for `mailFrom`: the address itself, or its domain (or a
   * parent domain). Absent: sending is allowed on both the address identity and its domain identity.
   */
  sesIdentity?: string;
  /** The JWT claim holding the caller's directory user id (default `sub`). */
  subjectClaim?: string;
  appBaseUrl: string;
  /** Default route throttling of the stage (default {@link defaultApiThrottle}). */
  apiThrottle?: Throttle;
  /** Throttling of each public route (default {@link defaultPublicRouteThrottle}); at most `apiThrottle`. */
  publicRouteThrottle?: Throttle;
  /**
   * The admin console's OIDC client id at `jwtIssuer`: a public client (no secret) using the
   * authorization code flow with PKCE, redirect URI `<console origin>/console/callback`.
   */
  consoleClientId: string;
  /**
   * The scopes the console requests (space-separated, default {@link defaultConsoleScope}). Must
   * hold `openid`, and one of `jwtScopes` when those are set, or the API refuses its tokens.
   */
  consoleScope?: string;
  /** A custom domain for the console (e.g. `directory-admin.corp.example`); needs `consoleCertificateArn`. */
  consoleDomain?: string;
  /** The ACM certificate of `consoleDomain`, in us-east-1 (CloudFront takes certificates from there only). */
  consoleCertificateArn?: string;
  /**
   * Origins the console may fetch from besides itself, the API and the issuer's origin: the
   * provider's token endpoint when it is elsewhere (Cognito's domain, Google's oauth2.googleapis.com).
   */
  consoleConnectOrigins?: readonly string[];
  /** The built console to deploy (default `console/dist` of this checkout, built by infra/app.ts). */
  consoleDist?: string;
  env?: Environment;
};

/** What the console asks the provider for unless `consoleScope` says otherwise. */
export const defaultConsoleScope = 'openid email profile';

/** Settings that cannot build a deployable app: missing context keys or malformed values. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Cannot build the directory's stacks:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Pass context with -c, e.g. npm run synth -- -c jwtIssuer=https://YOUR-IDP/ -c jwtAudience=YOUR-AUDIENCE -c consoleClientId=YOUR-CONSOLE-CLIENT (see docs/deployment.md).',
    );
    this.name = 'SettingsError';
  }
}

/** Context keys without which the app refuses to synthesize: there is no safe placeholder for them. */
export const requiredContextKeys = ['jwtIssuer', 'jwtAudience', 'consoleClientId'] as const;

/** An OAuth scope token (RFC 6749, section 3.3): printable ASCII but space, `"` and `\`. */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** What `AUTH_SUBJECT_CLAIM` accepts (lib/config.ts). */
const claimName = /^[\w:./-]{1,128}$/;
const plainAddress = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const domainName = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The domain of a plain address, lower-cased (SES domain identities are domain names). */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The SES identities whose ARNs the mail worker may send on. SES authorises a send on the identity
 * that is verified: the address identity when the address is verified, the domain identity when
 * only its domain is. Given `sesIdentity`, exactly that one; otherwise both the address and its domain.
 */
export function sesIdentitiesFor(settings: Pick<DirectorySettings, 'mailFrom' | 'sesIdentity'>): string[] {
  if (settings.sesIdentity) return [settings.sesIdentity];
  return [settings.mailFrom, domainOf(settings.mailFrom)];
}

/**
 * Reads the settings from CDK context (`-c key=value`, or cdk.json's `context`). Throws a
 * {@link SettingsError} naming every missing or malformed key; `jwtIssuer` and `jwtAudience` have
 * no default. The other keys:
 *   jwtScopes        comma-separated scopes the admin routes require          default none
 *   mailFrom         sender address                                           default no-reply@example.com
 *   sesIdentity      the verified SES identity (address or domain)            default mailFrom and its domain
 *   subjectClaim     JWT claim carrying the caller's directory user id        default sub
 *   appBaseUrl       base URL of the web app, for mailed links                default https://directory.example.com
 *   apiRateLimit, apiBurstLimit        default route throttling                default 50, 100
 *   publicRateLimit, publicBurstLimit  throttling of each public route         default 10, 20
 *   consoleClientId  the console's OIDC client id                            required
 *   consoleScope     scopes the console requests, space-separated            default openid email profile
 *   consoleDomain, consoleCertificateArn  the console's custom domain        default the CloudFront domain
 *   consoleConnectOrigins  comma-separated extra origins the console fetches  default none
 *   consoleDist      a prebuilt console directory to deploy                  default console/dist, built at synth
 */
export function settingsFromContext(node: Node, env?: Environment): DirectorySettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      problems.push(`context ${key} must be a string`);
      return undefined;
    }
    const trimmed = String(value).trim();
    return trimmed.length > 0 ? trimmed : undefined;
  };
  const number = (key: string, fallback: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) {
      problems.push(`context ${key} must be a number, got "${value}"`);
      return fallback;
    }
    return parsed;
  };
  const scopes = (): string[] | undefined => {
    const value: unknown = node.tryGetContext('jwtScopes');
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
    if (!list || list.some((s) => typeof s !== 'string')) {
      problems.push('context jwtScopes must be a comma-separated list of scopes');
      return undefined;
    }
    const cleaned = [...new Set((list as string[]).map((s) => s.trim()).filter((s) => s.length > 0))];
    return cleaned.length > 0 ? cleaned : undefined;
  };

  const list = (key: string): string[] | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
    if (!items || items.some((s) => typeof s !== 'string')) {
      problems.push(`context ${key} must be a comma-separated list`);
      return undefined;
    }
    const cleaned = [...new Set((items as string[]).map((s) => s.trim()).filter((s) => s.length > 0))];
    return cleaned.length > 0 ? cleaned : undefined;
  };

  const missing = requiredContextKeys.filter((key) => text(key) === undefined);
  const missingJwt = missing.filter((key) => key !== 'consoleClientId');
  if (missing.includes('consoleClientId')) {
    problems.unshift(
      'missing context consoleClientId: the admin console signs admins in as this OIDC client of jwtIssuer (a public client with PKCE; docs/deployment.md, "The admin console")',
    );
  }
  if (missingJwt.length > 0) {
    problems.unshift(
      `missing context ${missingJwt.join(', ')}: the JWT authorizer must name your OIDC provider's issuer and the audience of its access tokens`,
    );
  }
  const settings: DirectorySettings = {
    jwtIssuer: text('jwtIssuer') ?? '',
    jwtAudience: text('jwtAudience') ?? '',
    jwtScopes: scopes(),
    mailFrom: text('mailFrom') ?? 'no-reply@example.com',
    sesIdentity: text('sesIdentity'),
    subjectClaim: text('subjectClaim') ?? 'sub',
    appBaseUrl: text('appBaseUrl') ?? 'https://directory.example.com',
    apiThrottle: { rateLimit: number('apiRateLimit', defaultApiThrottle.rateLimit), burstLimit: number('apiBurstLimit', defaultApiThrottle.burstLimit) },
    publicRouteThrottle: {
      rateLimit: number('publicRateLimit', defaultPublicRouteThrottle.rateLimit),
      burstLimit: number('publicBurstLimit', defaultPublicRouteThrottle.burstLimit),
    },
    consoleClientId: text('consoleClientId') ?? '',
    consoleScope: text('consoleScope')?.split(/\s+/).join(' ') ?? defaultConsoleScope,
    consoleDomain: text('consoleDomain'),
    consoleCertificateArn: text('consoleCertificateArn'),
    consoleConnectOrigins: list('consoleConnectOrigins'),
    consoleDist: text('consoleDist'),
    env,
  };
  if (problems.length > 0) throw new SettingsError(problems);
  validateSettings(settings);
  return settings;
}

/** Throws a {@link SettingsError} listing every value the stacks cannot be built from. */
export function validateSettings(settings: DirectorySettings): void {
  const problems: string[] = [];
  if (!isHttpsUrl(settings.jwtIssuer)) problems.push(`jwtIssuer must be the issuer's https URL, got "${settings.jwtIssuer}"`);
  if (settings.jwtAudience.trim().length === 0) problems.push('jwtAudience must not be empty');
  // The functions' config loaders (lib/config.ts) refuse these at every cold start; refusing them
  // here stops a deployment whose every function would fail to start.
  if (!isHttpUrl(settings.appBaseUrl)) problems.push(`appBaseUrl must be an http(s) URL, got "${settings.appBaseUrl}"`);
  if (settings.subjectClaim !== undefined && !claimName.test(settings.subjectClaim)) {
    problems.push(`subjectClaim must be a claim name (letters, digits, _:./-, at most 128), got "${settings.subjectClaim}"`);
  }
  for (const scope of settings.jwtScopes ?? []) {
    if (!scopeToken.test(scope)) problems.push(`jwtScopes: "${scope}" is not a valid OAuth scope`);
  }
  if (!plainAddress.test(settings.mailFrom)) {
    problems.push(`mailFrom must be a plain address (no display name), got "${settings.mailFrom}"`);
  } else if (settings.sesIdentity !== undefined) {
    const identity = settings.sesIdentity;
    if (identity.includes('@')) {
      if (identity.toLowerCase() !== settings.mailFrom.toLowerCase()) {
        problems.push(`sesIdentity ${identity} is an address other than mailFrom ${settings.mailFrom}: SES would refuse every send`);
      }
    } else if (!domainName.test(identity)) {
      problems.push(`sesIdentity must be an address or a domain, got "${identity}"`);
    } else {
      const domain = domainOf(settings.mailFrom);
      const verified = identity.toLowerCase();
      if (domain !== verified && !domain.endsWith(`.${verified}`)) {
        problems.push(`sesIdentity ${identity} is not the domain of mailFrom ${settings.mailFrom}: SES would refuse every send`);
      }
    }
  }
  const api = settings.apiThrottle ?? defaultApiThrottle;
  const pub = settings.publicRouteThrottle ?? defaultPublicRouteThrottle;
  for (const [name, value, integer] of [
    ['apiRateLimit', api.rateLimit, false],
    ['apiBurstLimit', api.burstLimit, true],
    ['publicRateLimit', pub.rateLimit, false],
    ['publicBurstLimit', pub.burstLimit, true],
  ] as const) {
    if (!(value > 0) || (integer && !Number.isInteger(value))) problems.push(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  if (pub.rateLimit > api.rateLimit) problems.push(`publicRateLimit (${pub.rateLimit}) must not exceed apiRateLimit (${api.rateLimit})`);
  if (pub.burstLimit > api.burstLimit) problems.push(`publicBurstLimit (${pub.burstLimit}) must not exceed apiBurstLimit (${api.burstLimit})`);
  problems.push(...consoleProblems(settings));
  if (problems.length > 0) throw new SettingsError(problems);
}

/** An OAuth client id (RFC 6749's VSCHAR, less the space): what can go into a query string unmangled. */
const clientId = /^[\x21-\x7E]{1,255}$/;
/** CloudFront takes a distribution's certificate from ACM in us-east-1 only. */
const cloudFrontCertificateArn = /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/;

function consoleProblems(settings: DirectorySettings): string[] {
  const problems: string[] = [];
  if (!clientId.test(settings.consoleClientId)) {
    problems.push(`consoleClientId must be an OAuth client id (printable ASCII, no spaces), got "${settings.consoleClientId}"`);
  }
  const scopes = (settings.consoleScope ?? defaultConsoleScope).split(' ');
  const invalid = scopes.filter((scope) => !scopeToken.test(scope));
  if (invalid.length > 0) problems.push(`consoleScope: ${invalid.map((s) => `"${s}"`).join(', ')} is not a valid OAuth scope`);
  if (!scopes.includes('openid')) problems.push(`consoleScope must include openid (an OIDC sign-in), got "${settings.consoleScope}"`);
  // The authorizer refuses a token without one of the required scopes: a console that does not
  // ask for one could sign in but every API call would answer 401.
  // (An invalid jwtScopes entry is reported on its own.)
  const required = (settings.jwtScopes ?? []).filter((scope) => scopeToken.test(scope));
  if (required.length > 0 && !required.some((scope) => scopes.includes(scope))) {
    problems.push(
      `consoleScope must include one of jwtScopes (${required.join(', ')}), or the API refuses the console's tokens; got "${settings.consoleScope ?? defaultConsoleScope}"`,
    );
  }
  if ((settings.consoleDomain === undefined) !== (settings.consoleCertificateArn === undefined)) {
    problems.push('consoleDomain and consoleCertificateArn go together: CloudFront serves a custom domain only with its certificate');
  }
  if (settings.consoleDomain !== undefined && !domainName.test(settings.consoleDomain)) {
    problems.push(`consoleDomain must be a domain name, got "${settings.consoleDomain}"`);
  }
  if (settings.consoleCertificateArn !== undefined && !cloudFrontCertificateArn.test(settings.consoleCertificateArn)) {
    problems.push(`consoleCertificateArn must be an ACM certificate ARN in us-east-1 (CloudFront's region), got "${settings.consoleCertificateArn}"`);
  }
  for (const origin of settings.consoleConnectOrigins ?? []) {
    if (!isHttpsUrl(origin) || new URL(origin).origin !== origin) {
      problems.push(`consoleConnectOrigins: "${origin}" must be an https origin (scheme and host, no path)`);
    }
  }
  return problems;
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
