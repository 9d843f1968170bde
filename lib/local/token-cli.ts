import { createDocumentClient } from '../data/client';
import { getEmailClaim } from '../data/claims';
import { normalizeEmail } from '../domain/email';
import { LocalJwt } from './local-auth';
import { paths, readServerState } from './state';

/**
 * `npm run token -- EMAIL`: prints a bearer token for the directory user whose login is EMAIL,
 * signed with the running local server's key. Whether that user may do anything is still decided
 * by the directory on each request.
 */
const email = process.argv[2];
if (!email) {
  console.error('usage: npm run token -- EMAIL');
  process.exit(2);
}
const state = readServerState();
if (!state) {
  console.error('No local server is running (start one with `npm start`).');
  process.exit(1);
}
const client = createDocumentClient({ region: state.region, endpoint: state.dynamodbEndpoint });
const claim = await getEmailClaim({ client, name: state.tableName }, normalizeEmail(email));
client.destroy();
if (!claim?.roles.includes('login')) {
  console.error(`No directory user signs in with ${email}.`);
  process.exit(1);
}
console.log(await LocalJwt.fromFile(paths.jwtKey).sign(claim.userId));
