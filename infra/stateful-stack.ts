import { CfnOutput, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '../lib/data/table-definition';
import { ConsoleHosting } from './console';
import { SecretsKey } from './secrets-key';

/**
 * The HR providers with a key in the webhook secret: the `{provider}` of `POST /webhooks/hr/{provider}`
 * (`standard` has a function of its own, functions/hr-webhook-standard.ts; the others share
 * functions/hr-webhook.ts).
 */
export const hrWebhookProviders = ['standard', 'gusto', 'bamboohr'] as const;

/** Who sends to each provider's URL, for the stack outputs' descriptions. */
export const hrWebhookSenders: Record<(typeof hrWebhookProviders)[number], string> = {
  standard: 'a Standard Webhooks sender',
  gusto: 'Gusto',
  bamboohr: 'BambooHR',
};

/** What the operator must put into the HR webhook secret after the first deploy. */
export const webhookSecretsDescription =
  'HR webhook signing secrets, as JSON {"standard":"whsec_...","gusto":"...","bamboohr":"..."}: one key per provider, ' +
  'each the signing secret that provider issued. Filled in by the operator (put-secret-value), never by a deploy; ' +
  'a provider whose key is missing or empty has its deliveries rejected.';

export type StatefulStackProps = StackProps & {
  /** The console's custom domain and its ACM certificate (us-east-1); absent: the CloudFront domain. */
  consoleDomain?: { name: string; certificateArn: string };
};

/**
 * What must survive a bad deploy: the single table, and the HR webhook signing secrets that an
 * operator filled in by hand. Kept apart from the functions and the API so that the stateless stack
 * can be torn down and rebuilt freely.
 */
export class StatefulStack extends Stack {
  /** The single table, with a NEW_IMAGE stream (`tableStreamArn`) that feeds the outbox relay. */
  readonly table: dynamodb.TableV2;
  /**
   * The HR providers' webhook signing secrets. Stateful because its value is not ours: a deploy only
   * creates a placeholder, the operator then pastes in what each provider issued. In the
   * replaceable stack a rebuild would swap it for a fresh placeholder and every delivery would fail
   * its signature check until someone re-entered the secrets.
   */
  readonly webhookSecrets: secretsmanager.Secret;
  /**
   * The secrets key every stored signing secret and connector token is sealed to: stateful for the
   * same reason as the table, whose sealed values need it (infra/secrets-key.ts).
   */
  readonly secretsKey: SecretsKey;
  /**
   * Where the admin console is served: the bucket and the CloudFront distribution. Stateful for the
   * same reason as the webhook secret: the distribution's domain is registered outside the stacks,
   * as the console OIDC client's redirect URI (and in admins' bookmarks), and a rebuilt stateless
   * stack must not change it. The bucket goes with it because origin access control ties the two
   * (its policy names the distribution). What is in the bucket is not state: the stateless stack
   * deploys it, with the config naming its API, on every deploy.
   */
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props?: StatefulStackProps) {
    super(scope, id, props);

    const key = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    // The construct id `Table` fixes the logical ID; a test pins it, because a changed logical ID
    // makes CloudFormation replace (and, with RETAIN, orphan) the table. No physical name on purpose.
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: key(tableDefinition.partitionKey),
      sortKey: key(tableDefinition.sortKey),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      // The outbox relay reads new outbox items from the stream; NEW_IMAGE because the message is
      // in the inserted item and nothing needs the old one. Adding a stream updates the table in place.
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      globalSecondaryIndexes: Object.entries(tableDefinition.indexes).map(([indexName, index]) => ({
        indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });

    // The construct id fixes the logical ID (a test pins it): a new logical ID would mean a new
    // secret with only the placeholder in it. RETAIN, like the table, so that neither a replacement
    // nor deleting the stack destroys the values the operator entered (deletion would otherwise
    // schedule the secret for deletion after the recovery window, lost unless someone notices).
    // The placeholder is JSON with an empty entry per provider, so the webhook function reads it
    // cleanly and rejects every delivery until the operator fills it in; the generated key only
    // satisfies Secrets Manager's requirement to generate something and is never read.
    this.webhookSecrets = new secretsmanager.Secret(this, 'HrWebhookSecrets', {
      description: webhookSecretsDescription,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(Object.fromEntries(hrWebhookProviders.map((provider) => [provider, '']))),
        generateStringKey: 'placeholder',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Rotation is not something Secrets Manager can do here: the signing secrets are issued by the
    // HR providers and rotated in their consoles; rotating means putting the new value in this secret.
    Validations.of(this.webhookSecrets).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The HR webhook signing secrets are issued by the HR providers (Standard Webhooks sender, Gusto, BambooHR) and rotated there; rotation is done by updating this secret's value, so no Secrets Manager rotation Lambda applies.",
    });

    // The construct id fixes the logical IDs of the secret and the key resource (a test pins both).
    this.secretsKey = new SecretsKey(this, 'SecretsKey');

    this.console = new ConsoleHosting(this, 'Console', {
      ...(props?.consoleDomain && {
        domain: {
          name: props.consoleDomain.name,
          certificate: acm.Certificate.fromCertificateArn(this, 'ConsoleCertificate', props.consoleDomain.certificateArn),
        },
      }),
    });

    // What an operator copies after a deploy (docs/deployment.md, "Stack outputs"). No export
    // names: nothing imports them; the stateless stack gets the table and secret by reference.
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'The directory table (TABLE_NAME for npm run bootstrap:admin)',
    });
    new CfnOutput(this, 'HrWebhookSecretsArn', {
      value: this.webhookSecrets.secretArn,
      description: `The HR webhook signing secrets: put-secret-value --secret-id <this> with JSON {${hrWebhookProviders.map((p) => `"${p}": "..."`).join(', ')}}`,
    });
    new CfnOutput(this, 'HrWebhookSecretsName', {
      value: this.webhookSecrets.secretName,
      description: 'Name of that secret, as the Secrets Manager console lists it',
    });
    new CfnOutput(this, 'SecretsKeySecretArn', {
      value: this.secretsKey.secret.secretArn,
      description: 'The private half of the secrets key, generated at deploy: back it up with the table, never edit or delete it (sealed secrets need it)',
    });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${this.console.origin}/console/`,
      description: "The admin console; register <this>callback as the console OIDC client's redirect URI",
    });
    new CfnOutput(this, 'BootstrapAdminCommand', {
      value: Fn.join('', ['TABLE_NAME=', this.table.tableName, ' AWS_REGION=', this.region, ' npm run bootstrap:admin -- you@yourcompany.com']),
      description: 'Creates the first admin (run once from a checkout, with credentials for this account) and prints their directory user id',
    });
  }
}
