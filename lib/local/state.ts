import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isLocalServer } from './processes';

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
    /** Seals subscription secrets and connector tokens in the table (lib/secrets/local.ts). */
    secretsKey: join(dir, 'secrets-key.json'),
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

/** What server.json holds once the server serves. */
export type ServerState = { url: string; dynamodbEndpoint: string; tableName: string; region: string; pid: number; dynamodbPid?: number | undefined };
/** What it holds while the server starts (written first, so a second start is refused at once). */
export type StartingState = { pid: number; starting: true };
export type RecordedState = ServerState | StartingState;

/** Written whole or not at all (a rename), so a reader never sees half a file. */
function writeStateFile(file: string, state: RecordedState): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2), { mode: OWNER_ONLY_FILE });
  chmodSync(temporary, OWNER_ONLY_FILE);
  renameSync(temporary, file);
}

export function writeServerState(state: ServerState, dir = stateDir): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  writeStateFile(statePaths(dir).server, state);
}

/** The recorded server, whether or not it still runs; undefined without a readable server.json. */
export function readServerState(dir = stateDir): RecordedState | undefined {
  const file = statePaths(dir).server;
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as RecordedState;
    return Number.isInteger(state?.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The server recorded in this folder if it still runs (a server.json left by a killed one is not). */
export function runningServer(dir = stateDir): RecordedState | undefined {
  const state = readServerState(dir);
  return state && state.pid !== process.pid && isLocalServer(state.pid) ? state : undefined;
}

/**
 * Claims the state folder for this process (server.json names it, as starting), unless a running
 * server holds it: that server is returned instead. A server.json left by a server that no longer
 * runs is replaced.
 */
export function claimStateDir(dir = stateDir): RecordedState | undefined {
  const file = statePaths(dir).server;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, starting: true } satisfies StartingState), { flag: 'wx', mode: OWNER_ONLY_FILE });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = runningServer(dir);
    if (holder) return holder;
    rmSync(file, { force: true });
  }
  throw new Error(`could not claim ${file}: another server keeps starting on this folder`);
}

/** Removes server.json if it names this process (a server never removes another's). */
export function releaseStateDir(dir = stateDir): void {
  if (readServerState(dir)?.pid === process.pid) rmSync(statePaths(dir).server, { force: true });
}
