import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export type DirectorySettings = {
  jwtIssuer: string;
  jwtAudience: string;
  mailFrom: string;
  /** The JWT claim holding the caller's directory user id (default `sub`). */
  subjectClaim?: string;
  appBaseUrl: string;
  env?: Environment;
};

/**
 * Builds the directory's two stacks from settings that the entry point (infra/app.ts) has already
 * resolved, so tests can build the same app with their own values.
 */
export function buildApp(settings: DirectorySettings, app: App = new App()) {
  const stateful = new StatefulStack(app, 'EmployeeDirectoryStateful', { env: settings.env });
  const stateless = new StatelessStack(app, 'EmployeeDirectoryStateless', {
    env: settings.env,
    table: stateful.table,
    webhookSecrets: stateful.webhookSecrets,
    jwtIssuer: settings.jwtIssuer,
    jwtAudience: settings.jwtAudience,
    mailFrom: settings.mailFrom,
    subjectClaim: settings.subjectClaim ?? 'sub',
    appBaseUrl: settings.appBaseUrl,
  });
  // cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}
