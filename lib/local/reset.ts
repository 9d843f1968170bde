import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dynamoLocalsOn, isLocalServer, terminate } from './processes';
import { runningServer, stateDir, statePaths } from './state';

/**
 * `npm run reset`: the local state back to a fresh clone's, so `npm start` begins on an empty
 * database with a new admin: DynamoDB Local's data, the mail outbox, the token-signing key (every
 * token issued before is void; they named users that are gone) and a server.json left behind.
 * Only these are removed, never anything else in the folder (LOCAL_STATE_DIR may name any folder).
 * Refused while a server runs on this state: its DynamoDB Local holds the files open.
 */

export class ResetRefused extends Error {}

export async function resetLocalState(dir = stateDir): Promise<{ removed: string[] }> {
  const paths = statePaths(dir);
  const server = runningServer(dir);
  if (server) {
    const where = 'url' in server ? `, ${server.url}` : ', starting';
    throw new ResetRefused(
      `A server is running on this data (pid ${server.pid}${where}). Stop it first (Ctrl-C in its terminal, or kill ${server.pid}), then run npm run reset again.`,
    );
  }
  for (const dynamo of dynamoLocalsOn(paths.dynamodb)) {
    if (isLocalServer(dynamo.ppid)) {
      throw new ResetRefused(
        `DynamoDB Local (pid ${dynamo.pid}) of a running server (pid ${dynamo.ppid}) uses ${paths.dynamodb}. Stop that server first (kill ${dynamo.ppid}).`,
      );
    }
    // Left by an earlier run, with no server behind it: it would keep the deleted files alive.
    await terminate(dynamo.pid);
  }
  const removed: string[] = [];
  const leftoverTemporaries = existsSync(dir) ? readdirSync(dir).filter((name) => /^server\.json\.\d+\.tmp$/.test(name)) : [];
  for (const path of [paths.dynamodb, paths.mail, paths.jwtKey, paths.secretsKey, paths.server, ...leftoverTemporaries.map((name) => join(dir, name))]) {
    if (!existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (something of the user's is in it) or already gone: leave it.
  }
  return { removed };
}
