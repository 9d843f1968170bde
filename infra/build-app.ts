import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { consoleDistDir } from '../lib/local/console-build';
import { defaultApiThrottle, defaultConsoleScope, defaultPublicRouteThrottle, validateSettings, type DirectorySettings } from './settings';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export type { DirectorySettings } from './settings';

/**
 * Builds the directory's two stacks from settings that the entry point (infra/app.ts) has already
 * resolved, so tests can build the same app with their own values. Throws a SettingsError
 * (infra/settings.ts) on values no deployment could work with, before any construct is made.
 */
export function buildApp(settings: DirectorySettings, app: App = new App()) {
  validateSettings(settings);
  const stateful = new StatefulStack(app, 'EmployeeDirectoryStateful', {
    env: settings.env,
    ...(settings.consoleDomain &&
      settings.consoleCertificateArn && { consoleDomain: { name: settings.consoleDomain, certificateArn: settings.consoleCertificateArn } }),
  });
  const stateless = new StatelessStack(app, 'EmployeeDirectoryStateless', {
    env: settings.env,
    table: stateful.table,
    webhookSecrets: stateful.webhookSecrets,
    secretsKey: { publicJwk: stateful.secretsKey.publicJwk, secret: stateful.secretsKey.secret },
    jwtIssuer: settings.jwtIssuer,
    jwtAudience: settings.jwtAudience,
    jwtScopes: settings.jwtScopes ?? [],
    mailFrom: settings.mailFrom,
    sesIdentity: settings.sesIdentity,
    subjectClaim: settings.subjectClaim ?? 'sub',
    appBaseUrl: settings.appBaseUrl,
    apiThrottle: settings.apiThrottle ?? defaultApiThrottle,
    publicRouteThrottle: settings.publicRouteThrottle ?? defaultPublicRouteThrottle,
    console: {
      hosting: stateful.console,
      directory: settings.consoleDist ?? consoleDistDir,
      clientId: settings.consoleClientId,
      scope: settings.consoleScope ?? defaultConsoleScope,
      connectOrigins: settings.consoleConnectOrigins ?? [],
    },
  });
  // cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}
