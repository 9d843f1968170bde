import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/http/routes';
import { DirectoryFunction } from '../../infra/directory-function';

/**
 * The one test that runs esbuild. Every other infra test (stacks.test.ts) synthesizes the app with
 * bundling skipped, so the 39 functions get placeholder assets; this one bundles a single function
 * the way the stateless stack does (the same `DirectoryFunction`, so the same bundling options),
 * and checks what a deployment would upload. The CDK skips bundling per stack, not per function,
 * so the function stands alone in a stack of its own here rather than among the other 38.
 *
 * The function: the Standard Webhooks receiver, the only one bundling that CommonJS library into
 * the ESM output (which the `createRequire` banner is for), and besides it the DynamoDB client,
 * zod, middy and the Powertools logger that the HTTP functions share.
 */
const representative = routes.find((route) => route.id === 'hrWebhookStandard')!;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

describe('function bundles', () => {
  it('bundles a function into an asset holding a self-contained ESM index.mjs (and its source map) that exports the handler', () => {
    expect(representative.handler).toBe('hr-webhook-standard');
    // No `aws:cdk:bundling-stacks` context: bundling on, as for `cdk synth` and `cdk deploy`.
    const app = new App({ context: cdkJson.context });
    expect(app.node.tryGetContext('aws:cdk:bundling-stacks')).toBeUndefined();
    const stack = new Stack(app, 'BundleUnderTest');
    new DirectoryFunction(stack, 'Function', {
      handler: representative.handler,
      app: { table: dynamodb.TableV2.fromTableName(stack, 'Table', 'directory'), appBaseUrl: 'https://directory.test.example' },
      webhookSecrets: secretsmanager.Secret.fromSecretNameV2(stack, 'Secrets', 'hr-webhooks'),
    });
    const assembly = app.synth();

    // The template's code is the asset the asset manifest stages from the bundle directory.
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    const { Code: code, Handler: handler } = functions[0]!.Properties;
    expect(handler).toBe('index.handler');
    const assetHash = String(code.S3Key).replace(/\.zip$/, '');
    const manifest = assembly.artifacts.find((artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact)!;
    const asset = manifest.contents.files?.[assetHash];
    expect(asset?.source.packaging, assetHash).toBe('zip');
    const bundleDir = join(assembly.directory, asset!.source.path!);

    // What NodejsFunction's esbuild run produces for format ESM with source maps.
    const index = join(bundleDir, 'index.mjs');
    expect(existsSync(index), index).toBe(true);
    // The AWS SDK and every other dependency are in the bundle (externalModules: []): hundreds of kB.
    expect(statSync(index).size).toBeGreaterThan(100_000);
    expect(existsSync(`${index}.map`)).toBe(true);
    expect(readFileSync(index, 'utf8')).toContain("import { createRequire } from 'module'; const require = createRequire(import.meta.url);");

    // Node loads it as ESM from the assembly (outside the repository, so no node_modules to fall
    // back on) and finds the handler the template names.
    const load = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(index).href)}); console.log(typeof m.handler);`],
      {
        cwd: bundleDir,
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          TABLE_NAME: 'directory',
          APP_BASE_URL: 'https://directory.test.example',
          AUTH_SUBJECT_CLAIM: 'sub',
          HR_WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hr-webhooks-AbCdEf',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    expect(load.status, load.stderr).toBe(0);
    expect(load.stdout.trim()).toBe('function');
  });
});
