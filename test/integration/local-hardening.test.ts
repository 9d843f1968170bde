import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { secureStateDir, statePaths } from '../../lib/local/state';
import { removeTempStateDirs, startServerProcess, tempStateDir, waitFor, type ServerProcess } from '../support/server-process';

/**
 * The local runtime's exposure: DynamoDB Local answers any request without credentials, so it
 * must listen on loopback only; `.local/` holds the key that signs admin tokens, the data and
 * mailed links, so only its owner may read it.
 */

/** The local addresses a TCP port is listening on, from the kernel's socket tables. */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      if (Number.parseInt(portHex!, 16) !== port) continue;
      found.push(table.endsWith('6') ? ipv6(hex!) : ipv4(hex!));
    }
  }
  return found;
}

/** /proc/net/tcp writes an address as host-order 32-bit words in hex. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  hex = hex.toLowerCase();
  const bytes = Array.from({ length: 4 }, (_, word) => [6, 4, 2, 0].map((i) => hex.slice(word * 8 + i, word * 8 + i + 2)).join('')).join('');
  if (bytes.startsWith('00000000000000000000ffff')) return `::ffff:${ipv4(hex.slice(24))}`;
  const groups = bytes.match(/.{4}/g)!.map((group) => group.replace(/^0+(?=.)/, ''));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

const isLoopback = (address: string) => /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);
const mode = (path: string) => statSync(path).mode & 0o777;

afterAll(removeTempStateDirs);

describe('DynamoDB Local listens on loopback only', () => {
  it('the suite’s DynamoDB Local (started by lib/local/dynamodb-local.ts) is bound to 127.0.0.1', () => {
    const port = Number(new URL(inject('dynamoEndpoint')).port);
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((address) => !isLoopback(address))).toEqual([]);
  });

  it('decodes the socket tables as the kernel writes them', () => {
    expect(ipv4('0100007F')).toBe('127.0.0.1');
    expect(ipv4('00000000')).toBe('0.0.0.0');
    expect(ipv6('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(ipv6('00000000000000000000000001000000')).toBe('::1');
    expect(ipv6('00000000000000000000000000000000')).toBe('::');
    expect([ipv4('00000000'), ipv6('00000000000000000000000000000000')].some(isLoopback)).toBe(false);
  });
});

describe('the state folder is readable by its owner only', () => {
  it('creates the folder 0700 and tightens what an earlier version left readable (key, server file, mail, DynamoDB data)', () => {
    const dir = join(tempStateDir(), 'state');
    secureStateDir(dir);
    expect(mode(dir)).toBe(0o700);

    const paths = statePaths(dir);
    chmodSync(dir, 0o755);
    mkdirSync(paths.dynamodb, { mode: 0o755 });
    for (const file of [paths.jwtKey, paths.server, paths.mail, join(paths.dynamodb, 'shared-local-instance.db')]) writeFileSync(file, 'x', { mode: 0o644 });
    secureStateDir(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(paths.dynamodb)).toBe(0o700);
    for (const file of [paths.jwtKey, paths.server, paths.mail, join(paths.dynamodb, 'shared-local-instance.db')])
      expect([file, mode(file)]).toEqual([file, 0o600]);
  });
});

describe('npm start with its own DynamoDB Local', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.kill('SIGKILL');
    server = undefined;
  });

  it('serves it on loopback, keeps every state file owner-only, and takes it down even when killed with SIGKILL', async () => {
    const stateDir = tempStateDir();
    const paths = statePaths(stateDir);
    // What an earlier version left: a world-readable folder and key.
    chmodSync(stateDir, 0o755);
    writeFileSync(paths.jwtKey, 'c29tZS1vbGQta2V5LWZyb20tYmVmb3JlLXRoZS1maXg', { mode: 0o644 });

    server = await startServerProcess({ LOCAL_STATE_DIR: stateDir, TABLE_NAME: 'hardening-local' });
    const port = Number(new URL(server.endpoint).port);
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((address) => !isLoopback(address))).toEqual([]);
    const { dynamodbPid } = JSON.parse(readFileSync(paths.server, 'utf8')) as { dynamodbPid: number };
    expect(dynamodbPid).toEqual(expect.any(Number));

    expect(mode(stateDir)).toBe(0o700);
    expect(mode(paths.jwtKey)).toBe(0o600);
    expect(mode(paths.server)).toBe(0o600);
    expect(mode(paths.dynamodb)).toBe(0o700);
    expect(mode(join(paths.dynamodb, 'shared-local-instance.db'))).toBe(0o600);

    await server.kill('SIGKILL');
    server = undefined;
    const alive = () => {
      try {
        process.kill(dynamodbPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(
      await waitFor(
        async () => alive(),
        (stillThere) => !stillThere,
        15_000,
      ),
    ).toBe(false);
    expect(listeningAddresses(port)).toEqual([]);
  }, 180_000);
});
