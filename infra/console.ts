import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** The path the console is served under (Vite's `base`); its objects live under the same key prefix. */
export const consolePath = '/console/';

/**
 * The S3 user metadata key the Content-Security-Policy travels in, from the deployment that knows
 * the API's origin to the viewer-response function that turns it into the header (see
 * {@link ConsoleHosting}). S3 returns it as `x-amz-meta-csp`.
 */
export const cspMetadataKey = 'csp';

/**
 * What a response carries when its object has no CSP metadata (the hashed assets, which are not
 * documents, and anything unexpected): nothing may load, nothing may frame it.
 */
export const fallbackContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** File names the SPA route rewrite leaves alone: anything else under /console/ is a route. */
const staticFile = /\.(?:js|mjs|css|map|json|html|svg|png|jpe?g|gif|webp|avif|ico|txt|woff2?|webmanifest)$/;

/**
 * Viewer request: `/` and `/console` redirect to `/console/`; a path under `/console/` that does
 * not name a static file is an SPA route (`/console/users/01J...`, `/console/callback?code=...`,
 * `/console/addresses/jane@corp.example`) and is answered with index.html; anything else is 404.
 * A function rather than a 403/404 custom error response, which would also turn a missing asset
 * into index.html with a 200 and apply to every path of the distribution.
 */
export const routeFunctionCode = `var STATIC_FILE = ${staticFile.toString()};
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '${consolePath.slice(0, -1)}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${consolePath}' } } };
  }
  if (uri.indexOf('${consolePath}') !== 0) return { statusCode: 404, statusDescription: 'Not Found' };
  if (!STATIC_FILE.test(uri)) request.uri = '${consolePath}index.html';
  return request;
}
`;

/** Viewer response: the CSP deployed with the object becomes the header; the metadata header goes. */
export const headersFunctionCode = `function handler(event) {
  var response = event.response;
  var headers = response.headers;
  var deployed = headers['x-amz-meta-${cspMetadataKey}'];
  delete headers['x-amz-meta-${cspMetadataKey}'];
  headers['content-security-policy'] = { value: deployed ? deployed.value : "${fallbackContentSecurityPolicy}" };
  return response;
}
`;

/**
 * The console's Content-Security-Policy: its own scripts, styles and images only; it may fetch
 * from itself (config.json), the API, the OIDC issuer (discovery, token and JWKS endpoints) and
 * the extra origins given (a provider whose token endpoint is elsewhere); no framing, no plugins,
 * no `<base>`. Values may be CDK tokens (the API's origin is one).
 */
export function consoleContentSecurityPolicy(props: { apiOrigin: string; issuer: string; connectOrigins?: readonly string[] }): string {
  const connect = ["'self'", props.apiOrigin, new URL(props.issuer).origin, ...(props.connectOrigins ?? [])];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export type ConsoleHostingProps = {
  /** A custom domain for the console, with its ACM certificate (which CloudFront requires in us-east-1). */
  domain?: { name: string; certificate: acm.ICertificate };
};

/**
 * Where the console is served from: a private bucket behind a CloudFront distribution that reads
 * it through origin access control, HTTPS only, with the security headers.
 *
 * The Content-Security-Policy is not in the response headers policy because it names the API's
 * origin, and the API's CORS names this distribution's: each would need the other to exist first,
 * a cycle CloudFormation refuses (within one stack as across two). So the policy travels with the
 * content instead: the console deployment, which comes after both, stores it as S3 metadata on
 * each object, and a viewer-response function turns it into the header.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** The console's origin (`https://<domain>`): the CORS origin of the API and the OIDC client's redirect origin. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps = {}) {
    super(scope, id);

    // RETAIN like everything in the stateful stack: deleting that stack is a deliberate act that
    // leaves the table and the secrets behind, and an emptied console bucket joins them rather than
    // costing an auto-delete Lambda. Its content is rebuilt by every deploy of the stateless stack.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "The console bucket is read only by this CloudFront distribution (origin access control) and written only by the stack's deployment: server access logs would record nothing but those, and the admins' actions are in the API's access logs.",
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Security headers of the admin console (its Content-Security-Policy is set by the viewer-response function)',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The callback URL carries the authorization code until the console replaces it.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Admin console of the employee directory',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'RouteFunction', {
              comment: 'Console routes: / to /console/, SPA routes to index.html',
              code: cloudfront.FunctionCode.fromInline(routeFunctionCode),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
            }),
          },
          {
            eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE,
            function: new cloudfront.Function(this, 'HeadersFunction', {
              comment: 'Console Content-Security-Policy from the deployed object',
              code: cloudfront.FunctionCode.fromInline(headersFunctionCode),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
            }),
          },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate: props.domain.certificate,
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    this.origin = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;

    const acknowledge = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'The console is static code with no data in it; who may use the directory is decided by the OIDC provider and the API, for admins wherever they are.',
    );
    acknowledge(
      'AwsSolutions-CFR2',
      'The distribution serves only static files from a private bucket (GET and HEAD); every request that reads or changes data goes to the API, behind its JWT authorizer and throttling. A web ACL would add a fixed monthly cost for no protected data.',
    );
    acknowledge(
      'AwsSolutions-CFR3',
      "The distribution serves only the console's static files; what admins do is recorded in the API's access logs and the directory's audit trail.",
    );
    if (!props.domain) {
      acknowledge(
        'AwsSolutions-CFR4',
        "Without a custom domain the distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; with consoleDomain and consoleCertificateArn set, TLS 1.2 (TLSv1.2_2021) is the minimum.",
      );
    }
  }
}

/** The console's runtime settings, read by the SPA from /console/config.json. */
export type ConsoleConfig = {
  apiBaseUrl: string;
  auth: { kind: 'oidc'; issuer: string; clientId: string; scope: string };
};

export type ConsoleDeploymentProps = {
  hosting: { bucket: s3.IBucket; distribution: cloudfront.IDistribution };
  /** The built console (Vite's output: index.html, assets/). */
  directory: string;
  config: ConsoleConfig;
  /** The Content-Security-Policy of the console's documents ({@link consoleContentSecurityPolicy}). */
  contentSecurityPolicy: string;
};

/** Vite's output folder for hashed files (`build.assetsDir`). */
const assetsDir = 'assets';

/**
 * Puts the built console and its config.json into the console bucket, on every deploy. Two
 * deployments because the two kinds of file want opposite caching: the hashed assets are
 * immutable and kept (a tab still running the previous build can load its lazy chunks), the
 * entry (index.html, config.json and the unhashed public files) is revalidated on each load and
 * pruned. The entry goes second, so it never references an asset not yet uploaded, and its
 * deployment invalidates the distribution's cache.
 */
export class ConsoleDeployment extends Construct {
  constructor(scope: Construct, id: string, props: ConsoleDeploymentProps) {
    super(scope, id);
    if (!existsSync(join(props.directory, 'index.html'))) {
      throw new Error(`The console build ${props.directory} has no index.html: build the console first (see docs/deployment.md, "The admin console")`);
    }
    // One role and log group for both deployments (they share one handler function): instead of
    // the defaults, the managed basic-execution policy (logs on `*`) and a log group kept forever.
    const logGroup = new logs.LogGroup(this, 'DeployLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'DeployRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const destination = { destinationBucket: props.hosting.bucket, destinationKeyPrefix: consolePath.slice(1), role, logGroup };
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      ...destination,
      sources: [s3deploy.Source.asset(props.directory)],
      exclude: ['*'],
      include: [`${assetsDir}/*`],
      prune: false,
      // The keys are not used, and listing them in the custom resource's answer could exceed its 4 KB limit.
      outputObjectKeys: false,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const entry = new s3deploy.BucketDeployment(this, 'Entry', {
      ...destination,
      sources: [s3deploy.Source.asset(props.directory), s3deploy.Source.jsonData('config.json', props.config)],
      // `.built` is the local build's freshness stamp (lib/local/console-build.ts), not for browsers.
      exclude: [`${assetsDir}/*`, '.built'],
      prune: true,
      outputObjectKeys: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
      metadata: { [cspMetadataKey]: props.contentSecurityPolicy },
      distribution: props.hosting.distribution,
      distributionPaths: [`${consolePath}*`],
    });
    entry.node.addDependency(assets);

    // BucketDeployment's own grants to the role of its deploy-time handler, each wildcard named.
    const policy = role.node.findChild('DefaultPolicy');
    const acknowledgeWildcard = (finding: string, reason: string) => Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const objects =
      'the handler syncs the console build into the console bucket and prunes what the build no longer has, so it reads, writes and deletes objects there (and reads the staged build in the CDK asset bucket)';
    acknowledgeWildcard('Action::s3:GetObject*', objects);
    acknowledgeWildcard('Action::s3:GetBucket*', objects);
    acknowledgeWildcard('Action::s3:List*', objects);
    acknowledgeWildcard('Action::s3:DeleteObject*', objects);
    acknowledgeWildcard('Action::s3:Abort*', `${objects}; Abort* ends its multipart uploads`);
    acknowledgeWildcard(
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      'the staged console build, read from the CDK asset bucket',
    );
    acknowledgeWildcard(
      'Resource::*',
      'BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on "*"; the handler invalidates only the console distribution',
    );
    // cdk-nag names the console bucket's objects by the bucket ARN as the template spells it: an
    // import from the stateful stack, whose export name exists only once references are resolved.
    // Construct validations run after that and before the policy validation plugins.
    this.node.addValidation({
      validate: () => {
        acknowledgeWildcard(`Resource::${nagRendering(Stack.of(this).resolve(props.hosting.bucket.bucketArn))}/*`, `the console bucket's objects: ${objects}`);
        return [];
      },
    });

    const handler = Stack.of(this)
      .node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))
      .map((child) => child.node.defaultChild ?? child);
    for (const fn of handler) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "BucketDeployment's handler (it runs the AWS CLI's s3 sync) is a Python function whose runtime aws-cdk-lib chooses; upgrading aws-cdk-lib moves it forward.",
      });
    }
  }
}

/** How cdk-nag prints a resolved ARN in a finding: an import by its export name, an attribute as `<LogicalId.Attr>`. */
function nagRendering(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const value = resolved as Record<string, unknown>;
  if (typeof value['Fn::ImportValue'] === 'string') return value['Fn::ImportValue'];
  const attribute = value['Fn::GetAtt'];
  if (Array.isArray(attribute)) return `<${attribute.join('.')}>`;
  throw new Error(`cannot name the console bucket's ARN as cdk-nag does: ${JSON.stringify(resolved)}`);
}
