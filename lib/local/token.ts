import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { normalizeEmail } from '../domain/email';
import { signLocalJwt } from './local-jwt-sign';
import { isLocalServer } from './processes';
import { readServerState, stateDir, statePaths } from './state';

/**
 * `npm run token`: a bearer token for a directory user, signed with the running local server's key.
 * Kept light so it answers at once: no AWS SDK, no server started; it reads server.json and the
 * key from the state folder and asks DynamoDB Local for the address's claim item in one GetItem
 * over loopback HTTP (DynamoDB Local checks no signature).
 */

/** Why no token can be made, in words for whoever ran the command. */
export class TokenError extends Error {}

/** The claim item's key of an address (as `claimKeys.emailClaim` in lib/data/claims.ts, which loads the SDK). */
export const emailClaimKey = (email: string) => ({ pk: `EMAIL#${email}`, sk: 'CLAIM' });

export async function localToken(email: string, dir = stateDir): Promise<string> {
  const state = readServerState(dir);
  const file = statePaths(dir).server;
  if (!state) throw new TokenError(`No local server is running (no ${file}). Start one with \`npm start\`, then run this again.`);
  if (!isLocalServer(state.pid)) {
    throw new TokenError(
      `No local server is running: the one ${file} names (pid ${state.pid}) has stopped. Start one with \`npm start\`, then run this again.`,
    );
  }
  if (!('url' in state)) throw new TokenError(`The local server (pid ${state.pid}) is still starting: run this again once it prints its URL.`);
  const address = normalizeEmail(email);
  const item = await getItem(state.dynamodbEndpoint, state.region, state.tableName, emailClaimKey(address));
  const roles = (item?.roles?.L ?? []).map((role) => role.S).concat(item?.roles?.SS ?? []);
  const userId = item?.userId?.S;
  if (!userId || !roles.includes('login')) {
    throw new TokenError(
      `No directory user signs in with ${address} (table ${state.tableName}). Use the admin \`npm start\` printed (admin@example.com unless BOOTSTRAP_ADMIN_EMAIL says otherwise), or invite the user first.`,
    );
  }
  let key: string;
  try {
    key = readFileSync(statePaths(dir).jwtKey, 'utf8').trim();
  } catch (error) {
    throw new TokenError(`The server's signing key cannot be read (${(error as NodeJS.ErrnoException).code}): restart the server (npm start).`);
  }
  return signLocalJwt(Buffer.from(key, 'base64url'), userId);
}

type AttributeValue = { S?: string; SS?: string[]; L?: AttributeValue[] };
type Item = Record<string, AttributeValue | undefined>;

/** One consistent GetItem in DynamoDB's JSON protocol, with the dummy credentials the server uses. */
async function getItem(endpoint: string, region: string, tableName: string, key: Record<string, string>): Promise<Item | undefined> {
  const body = JSON.stringify({
    TableName: tableName,
    Key: Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }])),
    ConsistentRead: true,
  });
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: 'POST',
        timeout: 5_000,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.GetItem',
          authorization: `AWS4-HMAC-SHA256 Credential=local/${day}/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  }).catch((error: NodeJS.ErrnoException) => {
    throw new TokenError(
      `The local server's DynamoDB at ${endpoint} does not answer (${error.code ?? error.message}): is the server still running? Restart it with \`npm start\`.`,
    );
  });
  let answer: { Item?: Item; __type?: string; message?: string; Message?: string };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new TokenError(`DynamoDB at ${endpoint} answered ${status} with something that is not JSON.`);
  }
  if (status !== 200) {
    const type = answer.__type?.split('#').at(-1) ?? `HTTP ${status}`;
    throw new TokenError(`DynamoDB at ${endpoint} refused the lookup in table ${tableName}: ${type}: ${answer.message ?? answer.Message ?? ''}`.trim());
  }
  return answer.Item;
}
