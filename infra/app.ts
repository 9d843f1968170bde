import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

/**
 * CDK entry point, and the only place that reads context or the environment.
 *
 * Context keys (`npx cdk deploy -c key=value`), with placeholder defaults so that `cdk synth`
 * works offline without any:
 *   jwtIssuer   OIDC issuer for the API's JWT authorizer    default https://example.auth0.com/
 *   jwtAudience audience the JWTs must carry                 default employee-directory
 *   mailFrom    SES sender identity (verified email address) default no-reply@example.com
 *   subjectClaim JWT claim carrying the caller's directory user id    default sub
 *   appBaseUrl  base URL of the web app, for mailed links    default https://directory.example.com
 * Set real values before deploying. Account and region come from the CLI's
 * CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION; without them the stacks stay environment-agnostic.
 */
const app = new App();

const context = (key: string, fallback: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : fallback;
};

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

buildApp(
  {
    jwtIssuer: context('jwtIssuer', 'https://example.auth0.com/'),
    jwtAudience: context('jwtAudience', 'employee-directory'),
    mailFrom: context('mailFrom', 'no-reply@example.com'),
    subjectClaim: context('subjectClaim', 'sub'),
    appBaseUrl: context('appBaseUrl', 'https://directory.example.com'),
    env: account && region ? { account, region } : undefined,
  },
  app,
);
