import { loadConfig } from '../config';
import { createDeps } from '../runtime';
import { bootstrapAdmin } from '../use-cases/users';

/**
 * `npm run bootstrap:admin -- EMAIL`: creates the first admin in a deployed table (TABLE_NAME,
 * AWS_REGION and AWS credentials from the environment), or reports the existing one. Prints the
 * user id your identity provider must put in the subject claim of that person's tokens.
 */
const email = process.argv[2];
if (!email || !process.env.TABLE_NAME) {
  console.error('usage: TABLE_NAME=<table> AWS_REGION=<region> npm run bootstrap:admin -- EMAIL');
  process.exit(2);
}
const deps = createDeps(loadConfig({ ...process.env, APP_BASE_URL: process.env.APP_BASE_URL ?? 'https://directory.invalid' }));
const { user, created } = await bootstrapAdmin(deps, email);
console.log(JSON.stringify({ created, userId: user.id, loginEmail: user.loginEmail }));
