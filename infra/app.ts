import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';
import { SettingsError, settingsFromContext } from './settings';

/**
 * CDK entry point, and the only place that reads context or the environment.
 *
 * Context keys (`npx cdk synth|deploy -c key=value`) are read by `settingsFromContext`
 * (infra/settings.ts), which lists them with their defaults. `jwtIssuer` and `jwtAudience` have
 * none: without them synthesis stops with a message naming them, rather than deploying an API
 * that trusts a placeholder issuer. Account and region come from the CLI's
 * CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION; without them the stacks stay environment-agnostic.
 */
const app = new App();

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

try {
  buildApp(settingsFromContext(app.node, account && region ? { account, region } : undefined), app);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  // The message is the whole story; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
