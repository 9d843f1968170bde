import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The git-ignored folder holding local state: DynamoDB Local's data, the JWT key, the server's address. */
export const stateDir = process.env.LOCAL_STATE_DIR ?? fileURLToPath(new URL('../../.local/', import.meta.url));
export const paths = {
  dynamodb: join(stateDir, 'dynamodb'),
  jwtKey: join(stateDir, 'jwt-key'),
  server: join(stateDir, 'server.json'),
};

export type ServerState = { url: string; dynamodbEndpoint: string; tableName: string; region: string; pid: number };

export function writeServerState(state: ServerState): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(paths.server, JSON.stringify(state, null, 2));
}

export function readServerState(): ServerState | undefined {
  return existsSync(paths.server) ? (JSON.parse(readFileSync(paths.server, 'utf8')) as ServerState) : undefined;
}
