import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations, type CfnResource, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { fallbackContentSecurityPolicy } from '../../infra/console';
import { buildApp, type DirectorySettings } from '../../infra/build-app';
import { routes, servedMethods } from '../../lib/http/routes';

/**
 * The admin console in AWS: a private bucket behind CloudFront (origin access control, HTTPS
 * only, security headers), its files and config.json deployed with the stateless stack, and the
 * API's CORS open to the console's origin alone. Built twice: on the CloudFront domain, and on a
 * custom domain with its certificate.
 */

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

// Custom values, so the assertions prove they flow from the settings.
const settings: DirectorySettings = {
  jwtIssuer: 'https://issuer.test.example/tenant-1/',
  jwtAudience: 'directory-under-test',
  jwtScopes: ['directory.admin'],
  mailFrom: 'directory-tests@example.org',
  appBaseUrl: 'https://directory.test.example',
  consoleClientId: 'directory-console-under-test',
  consoleScope: 'openid email directory.admin',
  consoleConnectOrigins: ['https://tokens.test.example'],
  consoleDist: fileURLToPath(new URL('../support/console-dist', import.meta.url)),
};
const customDomain = {
  consoleDomain: 'directory-admin.corp.example',
  consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
};

/** As stacks.test.ts: synthesized for a deployment (cdk-nag included), with no esbuild run. */
const unbundledApp = () => new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });

type Built = { built: ReturnType<typeof buildApp>; assembly: CloudAssembly; stateful: Template; stateless: Template };
const synthesize = (overrides: Partial<DirectorySettings> = {}): Built => {
  const built = buildApp({ ...settings, ...overrides }, unbundledApp());
  // cdk-nag runs here and throws on any finding not acknowledged.
  const assembly = built.app.synth();
  return { built, assembly, stateful: Template.fromStack(built.stateful), stateless: Template.fromStack(built.stateless) };
};

let onCloudFront: Built;
let onCustomDomain: Built;

beforeAll(() => {
  onCloudFront = synthesize();
  onCustomDomain = synthesize(customDomain);
}, 180_000);

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as CfnResource);
const only = (template: Template, type: string) => {
  const found = Object.entries(template.findResources(type));
  expect(found, type).toHaveLength(1);
  return { id: found[0]![0], resource: found[0]![1] };
};
const distributionConfig = (b: Built) => only(b.stateful, 'AWS::CloudFront::Distribution').resource.Properties.DistributionConfig;
/** The distribution's domain as the stateless stack sees it: the stateful stack's export of it. */
const distributionDomainImport = {
  'Fn::ImportValue': expect.stringMatching(/^EmployeeDirectoryStateful:ExportsOutputFnGetAttConsoleDistribution[0-9A-F]+DomainName/),
};
const apiEndpoint = (b: Built) => ({ 'Fn::GetAtt': [logicalId(b.built.stateless, b.built.stateless.api), 'ApiEndpoint'] });

/** The BucketDeployment custom resources, by construct id (`Assets`, `Entry`). */
function deployments(b: Built) {
  const found = b.stateless.findResources('Custom::CDKBucketDeployment');
  const byName = (name: string) => {
    const entry = Object.entries(found).find(([id]) => id.startsWith(`Console${name}CustomResource`));
    expect(entry, name).toBeDefined();
    return { id: entry![0], resource: entry![1] };
  };
  expect(Object.keys(found)).toHaveLength(2);
  return { assets: byName('Assets'), entry: byName('Entry') };
}

/** A CloudFront Function's code, run in Node: it is plain ES5 with a global `handler`. */
function cloudFrontFunction(b: Built, comment: RegExp): (event: unknown) => unknown {
  const fn = Object.values(b.stateful.findResources('AWS::CloudFront::Function')).find((f) => comment.test(f.Properties.FunctionConfig.Comment));
  expect(fn, String(comment)).toBeDefined();
  expect(fn!.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  return new Function(`${fn!.Properties.FunctionCode}\nreturn handler;`)() as (event: unknown) => unknown;
}

describe('console bucket', () => {
  it('is private: all public access blocked, encrypted, TLS only, no website hosting, owner-enforced', () => {
    const { resource } = only(onCloudFront.stateful, 'AWS::S3::Bucket');
    // Tags aside (BucketDeployment marks the prefix its deployments own), nothing else: no
    // website configuration, no ACL, no CORS of its own.
    const { Tags: _tags, ...properties } = resource.Properties;
    expect(properties).toEqual({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('lets only this distribution read it (origin access control, not an OAI), and refuses plain HTTP', () => {
    const bucketId = only(onCloudFront.stateful, 'AWS::S3::Bucket').id;
    const distributionId = only(onCloudFront.stateful, 'AWS::CloudFront::Distribution').id;
    const statements = only(onCloudFront.stateful, 'AWS::S3::BucketPolicy').resource.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]],
            },
          },
        },
      },
    ]);
    onCloudFront.stateful.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const oac = only(onCloudFront.stateful, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.resource.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [origin, ...others] = distributionConfig(onCloudFront).Origins;
    expect(others).toEqual([]);
    expect(origin).toMatchObject({
      DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [oac.id, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });
});

describe('console distribution', () => {
  it('keeps its logical IDs (and so its domain, registered with the OIDC provider) and those of its bucket', () => {
    expect(only(onCloudFront.stateful, 'AWS::CloudFront::Distribution').id).toBe('ConsoleDistribution022D3262');
    expect(only(onCloudFront.stateful, 'AWS::S3::Bucket').id).toBe('ConsoleBucket86B6957C');
  });

  it('serves HTTPS only, GET and HEAD, with the security headers policy on its one behaviour', () => {
    const config = distributionConfig(onCloudFront);
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: only(onCloudFront.stateful, 'AWS::CloudFront::ResponseHeadersPolicy').id });
    // The CloudFront certificate fixes its own minimum protocol; a custom domain gets TLS 1.2.
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
    const custom = distributionConfig(onCustomDomain);
    expect(custom.Aliases).toEqual([customDomain.consoleDomain]);
    expect(custom.ViewerCertificate).toEqual({
      AcmCertificateArn: customDomain.consoleCertificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(custom.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
  });

  it('adds HSTS, nosniff, frame DENY, no-referrer and the opener policy to every response', () => {
    const policy = only(onCloudFront.stateful, 'AWS::CloudFront::ResponseHeadersPolicy').resource.Properties.ResponseHeadersPolicyConfig;
    expect(policy.SecurityHeadersConfig).toEqual({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 24 * 3600, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    expect(policy.CustomHeadersConfig.Items).toContainEqual({ Header: 'Cross-Origin-Opener-Policy', Value: 'same-origin', Override: true });
  });

  it('answers SPA routes with index.html, redirects / to /console/, and 404s anything outside the console', () => {
    const route = cloudFrontFunction(onCloudFront, /SPA routes/);
    const uriOf = (uri: string) => {
      const result = route({ request: { uri, method: 'GET', headers: {} } }) as {
        uri?: string;
        statusCode?: number;
        headers?: Record<string, { value: string }>;
      };
      return result.statusCode ? `${result.statusCode} ${result.headers?.location?.value ?? ''}`.trim() : result.uri;
    };
    expect(uriOf('/')).toBe('302 /console/');
    expect(uriOf('/console')).toBe('302 /console/');
    expect(uriOf('/console/')).toBe('/console/index.html');
    expect(uriOf('/console/users/01JABCDEF')).toBe('/console/index.html');
    expect(uriOf('/console/callback')).toBe('/console/index.html');
    // An address in a route is a route, not a file with a `.example` extension.
    expect(uriOf('/console/addresses/jane@corp.example')).toBe('/console/index.html');
    expect(uriOf('/console/assets/index-CYiR1qRY.js')).toBe('/console/assets/index-CYiR1qRY.js');
    expect(uriOf('/console/config.json')).toBe('/console/config.json');
    expect(uriOf('/console/index.html')).toBe('/console/index.html');
    expect(uriOf('/users')).toBe('404');
    expect(uriOf('/consoles/x')).toBe('404');
    const [viewerRequest] = distributionConfig(onCloudFront).DefaultCacheBehavior.FunctionAssociations;
    expect(viewerRequest.EventType).toBe('viewer-request');
  });

  it('sets the Content-Security-Policy deployed with each document, and a deny-all one where there is none', () => {
    const headers = cloudFrontFunction(onCloudFront, /Content-Security-Policy/);
    const deployed = "default-src 'none'; connect-src 'self' https://api.test.example";
    const withMetadata = headers({ response: { statusCode: 200, headers: { 'x-amz-meta-csp': { value: deployed }, 'content-type': { value: 'text/html' } } } });
    expect(withMetadata).toEqual({ statusCode: 200, headers: { 'content-security-policy': { value: deployed }, 'content-type': { value: 'text/html' } } });
    const without = headers({ response: { statusCode: 200, headers: {} } }) as { headers: Record<string, { value: string }> };
    expect(without.headers['content-security-policy']!.value).toBe(fallbackContentSecurityPolicy);
    expect(fallbackContentSecurityPolicy).toContain("default-src 'none'");
    expect(fallbackContentSecurityPolicy).toContain("frame-ancestors 'none'");
    const [, viewerResponse] = distributionConfig(onCloudFront).DefaultCacheBehavior.FunctionAssociations;
    expect(viewerResponse.EventType).toBe('viewer-response');
  });
});

describe('console deployment', () => {
  it("stores the console's CSP with its documents: its own code, the API, the issuer and the extra origins to connect to, no framing", () => {
    const { entry } = deployments(onCloudFront);
    const csp = entry.resource.Properties.UserMetadata.csp;
    expect(csp).toEqual({
      'Fn::Join': [
        '',
        [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; connect-src 'self' ",
          apiEndpoint(onCloudFront),
          " https://issuer.test.example https://tokens.test.example; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
        ],
      ],
    });
    // The response headers policy cannot carry it: that would make the distribution wait for the
    // API whose CORS waits for the distribution.
    const policy = only(onCloudFront.stateful, 'AWS::CloudFront::ResponseHeadersPolicy').resource.Properties.ResponseHeadersPolicyConfig;
    expect(policy.SecurityHeadersConfig.ContentSecurityPolicy).toBeUndefined();
  });

  it('writes config.json naming the API and the OIDC client', () => {
    const { entry } = deployments(onCloudFront);
    const { SourceObjectKeys: keys, SourceMarkers: markers } = entry.resource.Properties;
    expect(keys).toHaveLength(2);
    // The second source is Source.jsonData's: an asset holding config.json with markers for tokens.
    const manifest = onCloudFront.assembly.artifacts.find((a): a is AssetManifestArtifact => a instanceof AssetManifestArtifact && a.id.includes('Stateless'))!;
    const asset = manifest.contents.files![String(keys[1]).replace(/\.zip$/, '')]!;
    let text = readFileSync(join(onCloudFront.assembly.directory, asset.source.path!, 'config.json'), 'utf8');
    const resolved: Record<string, unknown> = {};
    for (const [marker, value] of Object.entries(markers[1] as Record<string, unknown>)) {
      resolved[marker] = value;
      text = text.replaceAll(marker, `@@${marker}@@`);
    }
    const config = JSON.parse(text, (_key, value) => (typeof value === 'string' && value.startsWith('@@') ? resolved[value.slice(2, -2)] : value));
    expect(config).toEqual({
      apiBaseUrl: apiEndpoint(onCloudFront),
      auth: { kind: 'oidc', issuer: settings.jwtIssuer, clientId: settings.consoleClientId, scope: settings.consoleScope },
    });
  });

  it('uploads hashed assets as immutable and kept, then the entry revalidated, pruned, and invalidated in CloudFront', () => {
    const { assets, entry } = deployments(onCloudFront);
    expect(assets.resource.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(entry.resource.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Exclude: ['assets/*', '.built'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { 'Fn::ImportValue': expect.stringMatching(/ConsoleDistribution/) },
      DistributionPaths: ['/console/*'],
    });
    expect(entry.resource.Properties.DestinationBucketName).toEqual(assets.resource.Properties.DestinationBucketName);
    expect(entry.resource.DependsOn).toContain(assets.id);
  });

  it('refuses to deploy a console directory without index.html', () => {
    expect(() => buildApp({ ...settings, consoleDist: fileURLToPath(new URL('../support', import.meta.url)) }, unbundledApp())).toThrow(/has no index.html/);
  });
});

describe('API CORS', () => {
  const cors = (b: Built) => only(b.stateless, 'AWS::ApiGatewayV2::Api').resource.Properties.CorsConfiguration;

  it("allows exactly the console's origin, with the methods the routes serve and the headers the console sends", () => {
    expect(cors(onCloudFront)).toEqual({
      AllowOrigins: [{ 'Fn::Join': ['', ['https://', distributionDomainImport]] }],
      AllowMethods: [...new Set(routes.flatMap((route) => servedMethods(route)))],
      AllowHeaders: ['authorization', 'content-type'],
      AllowCredentials: false,
      MaxAge: 3600,
    });
    expect(new Set(cors(onCloudFront).AllowMethods)).toEqual(new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']));
    expect(cors(onCustomDomain).AllowOrigins).toEqual([`https://${customDomain.consoleDomain}`]);
    for (const b of [onCloudFront, onCustomDomain]) expect(JSON.stringify(cors(b))).not.toContain('*');
  });
});

describe('stacks of the console', () => {
  it('keeps the hosting in the stateful stack, which references nothing of the stateless one', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::CloudFront::Distribution', 'AWS::CloudFront::ResponseHeadersPolicy']) {
      onCloudFront.stateless.resourceCountIs(type, 0);
    }
    expect(JSON.stringify(onCloudFront.stateful.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('has no dependency cycle in either template (CloudFormation refuses one at deploy; synth does not)', () => {
    // Template.fromStack refuses a template with a cycle, as it would this CSP naming the API
    // whose CORS names the distribution; every template here is loaded through it.
    const cyclic = {
      Resources: {
        Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { CorsConfiguration: { AllowOrigins: [{ 'Fn::GetAtt': ['Distribution', 'DomainName'] }] } } },
        Policy: {
          Type: 'AWS::CloudFront::ResponseHeadersPolicy',
          Properties: { Csp: { 'Fn::Join': ['', ['connect-src ', { 'Fn::GetAtt': ['Api', 'ApiEndpoint'] }]] } },
        },
        Distribution: { Type: 'AWS::CloudFront::Distribution', Properties: { ResponseHeadersPolicyId: { Ref: 'Policy' } } },
      },
    };
    expect(() => Template.fromJSON(cyclic)).toThrow(/dependency cycle: Api -> Distribution -> Policy -> Api/);
    for (const b of [onCloudFront, onCustomDomain]) {
      for (const stack of [b.built.stateful, b.built.stateless]) expect(() => Template.fromStack(stack)).not.toThrow();
    }
  });

  it('names the console URL, whose callback is the redirect URI to register', () => {
    const distributionId = only(onCloudFront.stateful, 'AWS::CloudFront::Distribution').id;
    onCloudFront.stateful.hasOutput('ConsoleUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/console/']] },
      Description: Match.stringLikeRegexp('callback'),
    });
    onCustomDomain.stateful.hasOutput('ConsoleUrl', { Value: `https://${customDomain.consoleDomain}/console/` });
  });

  it('acknowledges each cdk-nag finding of the console, with a reason', () => {
    /** Each acknowledgement recorded on a construct under `scope`: its id, the construct's path, whether it gives a reason. */
    const acknowledged = (scope: IConstruct) =>
      scope.node.findAll().flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
          .map(([id, reason]) => ({ rule: id.replace(/^annotation::/i, ''), path: construct.node.path, reasoned: reason.length > 40 })),
      );
    const stateful = acknowledged(onCloudFront.built.stateful.console);
    expect(stateful.map((a) => `${a.path.split('/').slice(2).join('/')} ${a.rule}`).sort()).toEqual([
      'Bucket AwsSolutions-S1',
      'Distribution AwsSolutions-CFR1',
      'Distribution AwsSolutions-CFR2',
      'Distribution AwsSolutions-CFR3',
      'Distribution AwsSolutions-CFR4',
    ]);
    // With its own certificate the distribution enforces TLS 1.2, so CFR4 needs no acknowledgement.
    expect(acknowledged(onCustomDomain.built.stateful.console).map((a) => a.rule)).not.toContain('AwsSolutions-CFR4');
    // The deployment's: its handler's runtime, and each wildcard BucketDeployment grants its role.
    const deployment = acknowledged(onCloudFront.built.stateless).filter((a) => /\/(Console|Custom::CDKBucketDeployment)/.test(a.path));
    expect(deployment.filter((a) => a.rule === 'AwsSolutions-L1').map((a) => a.path)).toEqual([expect.stringMatching(/\/Custom::CDKBucketDeployment/)]);
    const wildcards = deployment.filter((a) => a.rule !== 'AwsSolutions-L1');
    for (const a of wildcards) expect(a.path).toBe('EmployeeDirectoryStateless/Console/DeployRole/DefaultPolicy');
    expect(wildcards.map((a) => a.rule)).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'AwsSolutions-IAM5[Resource::*]',
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::EmployeeDirectoryStateful:ExportsOutputFnGetAttConsoleBucket[0-9A-F]+Arn[0-9A-F]+\/\*\]$/),
    ]);
    for (const a of [...stateful, ...deployment]) expect(a.reasoned, `${a.path} ${a.rule}`).toBe(true);
  });
});
