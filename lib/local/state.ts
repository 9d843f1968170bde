import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The git-ignored folder holding local state: DynamoDB Local's data, the JWT key, the mail
 * outbox, the server's address. Readable by its owner only: the key signs admin tokens, and the
 * data and the mail hold personal data and live links.
 */
export const stateDir = process.env.LOCAL_STATE_DIR ?? fileURLToPath(new URL('../../.local/', import.meta.url));

/** What a state folder holds. */
export function statePaths(dir: string) {
  return {
    dynamodb: join(dir, 'dynamodb'),
    jwtKey: join(dir, 'jwt-key'),
    server: join(dir, 'server.json'),
    /** The local mail outbox, one JSON line per mail (lib/local/persistent-outbox.ts). */
    mail: join(dir, 'mail.jsonl'),
  };
}

export const paths = statePaths(stateDir);

export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/**
 * Makes a state directory owner-only (0700), and its files (0600) and sub-directories, one level
 * down (DynamoDB Local's data directory is flat). Symbolic links are left alone.
 */
export function secureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  chmodSync(dir, OWNER_ONLY_DIR);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isFile()) chmodSync(path, OWNER_ONLY_FILE);
    else if (stat.isDirectory()) chmodSync(path, OWNER_ONLY_DIR);
  }
}

/**
 * Creates the state directory owner-only, and tightens what an earlier version left readable:
 * the directory, the key, the server file, the mail and DynamoDB Local's data directory.
 */
export function secureStateDir(dir = stateDir): void {
  const within = statePaths(dir);
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  chmodSync(dir, OWNER_ONLY_DIR);
  for (const file of [within.jwtKey, within.server, within.mail]) if (existsSync(file) && lstatSync(file).isFile()) chmodSync(file, OWNER_ONLY_FILE);
  if (existsSync(within.dynamodb) && lstatSync(within.dynamodb).isDirectory()) secureDir(within.dynamodb);
}

export type ServerState = { url: string; dynamodbEndpoint: string; tableName: string; region: string; pid: number; dynamodbPid?: number | undefined };

export function writeServerState(state: ServerState): void {
  mkdirSync(stateDir, { recursive: true, mode: OWNER_ONLY_DIR });
  writeFileSync(paths.server, JSON.stringify(state, null, 2), { mode: OWNER_ONLY_FILE });
  chmodSync(paths.server, OWNER_ONLY_FILE);
}

export function readServerState(): ServerState | undefined {
  return existsSync(paths.server) ? (JSON.parse(readFileSync(paths.server, 'utf8')) as ServerState) : undefined;
}
