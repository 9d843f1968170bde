import { App } from 'aws-cdk-lib';
import { ensureConsoleBuilt } from '../lib/local/console-build';
import { buildApp } from './build-app';
import { SettingsError, settingsFromContext } from './settings';

/**
 * CDK entry point, and the only place that reads context or the environment.
 *
 * Context keys (`npx cdk synth|deploy -c key=value`) are read by `settingsFromContext`
 * (infra/settings.ts), which lists them with their defaults. `jwtIssuer`, `jwtAudience` and
 * `consoleClientId` have none: without them synthesis stops with a message naming them, rather
 * than deploying an API that trusts a placeholder issuer or a console that cannot sign in. Account
 * and region come from the CLI's CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION; without them the stacks
 * stay environment-agnostic.
 *
 * The console is built here, as the functions are bundled at synthesis: console/dist is rebuilt
 * whenever it is older than the console's sources (the same build `npm start` serves), so a deploy
 * ships the console of this checkout, never a stale one. `-c consoleDist=DIR` deploys a directory
 * built beforehand instead.
 */
const app = new App();

/** The console could not be built: the message says why. */
class ConsoleBuildError extends Error {}

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

try {
  const settings = settingsFromContext(app.node, account && region ? { account, region } : undefined);
  if (settings.consoleDist === undefined) {
    await ensureConsoleBuilt().catch((error: unknown) => {
      throw new ConsoleBuildError(`The admin console's build (console/, Vite) failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  buildApp(settings, app);
} catch (error) {
  if (!(error instanceof SettingsError || error instanceof ConsoleBuildError)) throw error;
  // The message is the whole story; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
