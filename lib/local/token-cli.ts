import { localToken, TokenError } from './token';

/**
 * `npm run token -- EMAIL`: prints a bearer token for the directory user whose login is EMAIL,
 * signed with the running local server's key (lib/local/token.ts). Whether that user may do
 * anything is still decided by the directory on each request. Without a running server, or for
 * an unknown user, it prints why on stderr and exits 1, with nothing on stdout.
 */
const email = process.argv[2];
if (!email) {
  console.error('usage: npm run token -- EMAIL   (e.g. npm run -s token -- admin@example.com)');
  process.exit(2);
}
try {
  console.log(await localToken(email));
} catch (error) {
  console.error(error instanceof TokenError ? error.message : `npm run token failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
}
