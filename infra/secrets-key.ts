import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** What the secrets key's secret holds (its description in the console). */
export const secretsKeyDescription =
  'The private half of the directory secrets key (a P-256 JWK for ECDH-ES+A256KW), generated at deploy time: webhook signing secrets and ' +
  'connector tokens are stored sealed to it. Only the functions that open them may read it. Never edit or delete it: every sealed secret would become unreadable.';

/**
 * The directory's secrets key (lib/secrets/box.ts): a P-256 pair made once, at the first deploy, by
 * a custom resource (Provider framework; the handler is infra/secrets-key-handler.ts), so the
 * private half never appears in a template, an asset or a CDK output. It goes into `secret`, which
 * only the opening functions may read; the public half is `publicJwk`, an attribute of the custom
 * resource, which the stateless stack gives the sealing and opening functions as SECRETS_PUBLIC_JWK.
 *
 * Stable on purpose: Update answers the same key, Delete keeps it, and a Create that finds the
 * secret already holding a value fails rather than replace it. Rotation is not supported yet
 * (docs/deployment.md, "Secrets key").
 */
export class SecretsKey extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The public JWK, as JSON (a token resolved at deploy time). */
  readonly publicJwk: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // RETAIN like the table: the sealed values in the table need this key for as long as they live.
    this.secret = new secretsmanager.Secret(this, 'Secret', { description: secretsKeyDescription, removalPolicy: RemovalPolicy.RETAIN });
    // An empty secret (no generated placeholder), so the key's Create can tell "never set" (it puts
    // the key) from "already holds a key" (it refuses) by the secret's versions, without reading it.
    (this.secret.node.defaultChild as secretsmanager.CfnSecret).generateSecretString = undefined;
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secrets key cannot be rotated by Secrets Manager: every stored signing secret and connector token is sealed to it, and a new key would need each of them re-sealed. Rotation is a documented, not yet supported operation (docs/deployment.md).',
    });

    const logGroup = new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    const handler = new nodejs.NodejsFunction(this, 'Handler', {
      entry: `${repoRoot}infra/secrets-key-handler.ts`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      role,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        minify: true,
        logLevel: nodejs.LogLevel.WARNING,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        externalModules: [],
      },
    });
    // Puts the key, and checks whether the secret already holds one; on this secret only, and
    // never GetSecretValue: the handler has no need to read the private half back.
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'], resources: [this.secret.secretArn] }),
    );

    // The framework's function gets a role of ours too (the default one carries the
    // AWSLambdaBasicExecutionRole managed policy): its own log group and invoking the handler.
    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const frameworkRole = new iam.Role(this, 'ProviderRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    providerLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: handler, logGroup: providerLogs, frameworkOnEventRole: frameworkRole });
    Validations.of(frameworkRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::<SecretsKeyHandler87836EFA.Arn>:*]',
      reason:
        "The Provider framework grants its function lambda:InvokeFunction on the key handler and on that handler's versions and aliases (<arn>:*); it is that one function, nothing else.",
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DirectorySecretsKey',
      properties: { SecretArn: this.secret.secretArn },
    });
    this.publicJwk = resource.getAttString('PublicJwk');
  }
}
