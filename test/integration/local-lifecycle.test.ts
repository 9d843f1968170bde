import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startDynamoLocal } from '../../lib/local/dynamodb-local';
import { requestLine } from '../../lib/local/server';
import { statePaths } from '../../lib/local/state';
import { emailClaimKey } from '../../lib/local/token';
import { claimKeys } from '../../lib/data/claims';
import { removeTempStateDirs, tempStateDir, waitFor } from '../support/server-process';

/**
 * `npm start`, `npm run token` and `npm run reset` as a newcomer runs them, as real processes:
 * a busy port or a failed start says what to do and leaves nothing running; SIGTERM and SIGHUP
 * (to npm or to the node process under it) stop the server and DynamoDB Local; the token command
 * answers fast and fails loudly; reset wipes the data and refuses while a server runs on it; the
 * server logs one line per request and names background work by its worker, never a token.
 */

afterAll(removeTempStateDirs);

type Run = { code: number | null; stdout: string; stderr: string; ms: number };

const baseEnv = (env: Record<string, string>) => ({
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  PORT: '0',
  ...env,
});

/** Runs a command to its end. */
function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, { cwd: process.cwd(), env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

const npm = (args: string[], env: Record<string, string>) => run('npm', ['run', '-s', ...args], env);

/** `npm start` running, with what it printed and the server's own pid. */
type Started = { child: ChildProcess; serverPid: number; url: string; output(): string; exited: Promise<number | null> };

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start'], { cwd: process.cwd(), env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) {
      const { pid } = JSON.parse(readFileSync(statePaths(env.LOCAL_STATE_DIR!).server, 'utf8')) as { pid: number };
      return { child, serverPid: pid, url, output: () => output, exited };
    }
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not serve:\n${output}`);
    }
    await sleep(50);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose command line names this state folder (DynamoDB Local's -dbPath does), from pgrep. */
const processesOn = (dir: string) =>
  spawnSync('pgrep', ['-f', join(dir, 'dynamodb')], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);

const gone = (pid: number, ms = 10_000) =>
  waitFor(
    async () => alive(pid),
    (still) => !still,
    ms,
  );

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as { port: number }).port, server };
}

describe('a start that cannot go on says why and leaves nothing running', () => {
  it('a busy port: one paragraph naming the port and PORT=..., exit 1, no stack, no server.json, no DynamoDB Local', async () => {
    const dir = tempStateDir();
    const { port, server } = await occupiedPort();
    try {
      const result = await run('npm', ['start'], { LOCAL_STATE_DIR: dir, PORT: String(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain(`PORT=${port + 1} npm start`);
      expect(result.stderr).not.toMatch(/EADDRINUSE|node:net|\n\s+at /);
      expect(existsSync(statePaths(dir).server)).toBe(false);
      expect(processesOn(dir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('the table cannot be created after DynamoDB Local started: exit 1 with the reason, and DynamoDB Local is stopped', async () => {
    const dir = tempStateDir();
    const result = await run(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], { LOCAL_STATE_DIR: dir, TABLE_NAME: 'not a table name!' });
    expect(result.stdout).toContain('Starting DynamoDB Local');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The table not a table name! could not be created');
    expect(result.stderr).toContain('ValidationException');
    expect(existsSync(statePaths(dir).server)).toBe(false);
    expect(processesOn(dir)).toEqual([]);
  }, 90_000);

  it('DynamoDB Local’s own port taken between choosing it and binding it: it is started on another', async () => {
    const { port, server } = await occupiedPort();
    try {
      const offered: number[] = [];
      const dynamo = await startDynamoLocal({
        quickStart: true,
        choosePort: async () => {
          const next =
            offered.length === 0 ? port : await occupiedPort().then(({ port: free, server: probe }) => new Promise<number>((r) => probe.close(() => r(free))));
          offered.push(next);
          return next;
        },
      });
      await dynamo.stop();
      expect(offered).toHaveLength(2);
      expect(dynamo.endpoint).toBe(`http://127.0.0.1:${offered[1]}`);
    } finally {
      server.close();
    }
  }, 90_000);
});

describe('npm start, npm run token and npm run reset on one state folder', () => {
  it('token, a second start and a reset while serving; one log line per request, no token logged; SIGTERM to npm stops everything; then token and reset', async () => {
    const dir = tempStateDir();
    const env = { LOCAL_STATE_DIR: dir, POWERTOOLS_LOG_LEVEL: 'INFO' };
    const server = await start(env);
    try {
      // The token: a JWT the server accepts, well under a second even on a loaded machine.
      const token = await npm(['token', '--', 'admin@example.com'], env);
      expect(token.code).toBe(0);
      expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      // Well under a second on a quiet machine (no AWS SDK, no tsx); loose here, CI machines are shared.
      expect(token.ms).toBeLessThan(5_000);
      const bearer = token.stdout.trim();
      const auth = { authorization: `Bearer ${bearer}` };
      expect((await fetch(`${server.url}/users`, { headers: auth })).status).toBe(200);

      const unknown = await npm(['token', '--', 'nobody@example.com'], env);
      expect(unknown).toMatchObject({ code: 1, stdout: '' });
      expect(unknown.stderr).toContain('No directory user signs in with nobody@example.com');

      // A second server on the same data is refused at once, and starts no DynamoDB Local.
      const second = await run(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`A server is already running on this state folder (${dir}): pid ${server.serverPid}`);
      expect(processesOn(dir)).toHaveLength(1);

      const refused = await run(process.execPath, ['--import', 'tsx', 'lib/local/reset-cli.ts'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`A server is running on this data (pid ${server.serverPid}`);
      expect(existsSync(statePaths(dir).dynamodb)).toBe(true);

      // Requests: each logged once, with the route's template; the mail after the invite under its worker.
      const invited = await fetch(`${server.url}/users`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'employee', loginEmail: 'log.line@corp.example', firstName: 'Log', lastName: 'Line' }),
      });
      expect(invited.status).toBe(201);
      const { id } = (await invited.json()) as { id: string };
      const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; token: string }[];
      const invitation = mail.find((m) => m.to === 'log.line@corp.example')!.token;
      expect((await fetch(`${server.url}/invitations/accept`, { method: 'POST', body: JSON.stringify({ token: invitation }) })).status).toBe(200);
      expect((await fetch(`${server.url}/users/${id}`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${server.url}/no/such/route`)).status).toBe(404);
      await sleep(100);

      const lines = server.output().split('\n');
      // A fresh start resumes nothing: its own admin's event is not taken for an earlier run's.
      expect(lines).toContainEqual(expect.stringMatching(/^\s+Resumed:\s+0 unhandled outbox messages/));
      const requests = lines
        .map((line) => /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (GET|POST) (\S+(?: route\))?) (\d{3}) (\d+)ms request=([0-9a-f-]{36})$/.exec(line))
        .filter((m) => m !== null)
        .map(([, , method, route, status]) => `${method} ${route} ${status}`);
      expect(requests).toEqual([
        'GET /users 200',
        'POST /users 201',
        'GET /_local/outbox 200',
        'POST /invitations/accept 200',
        'GET /users/{id} 200',
        'GET (no route) 404',
      ]);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\S+Z mail done \\d+ms kind=invitation userId=${id} requestId=\\S+$`)));
      const mailSent = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(mailSent.filter((entry) => entry.message === 'mail sent')).toEqual([expect.objectContaining({ worker: 'mail', userId: id })]);
      expect(mailSent.find((entry) => entry.message === 'mail sent')).not.toHaveProperty('route');
      // Neither the bearer token nor the mailed one (nor its signature half) is ever logged.
      const output = server.output();
      for (const secret of [bearer, bearer.split('.')[2]!, invitation, invitation.split('.').at(-1)!]) expect(output).not.toContain(secret);

      // SIGTERM to the npm process: the server and DynamoDB Local stop, server.json goes.
      const dynamoPids = processesOn(dir);
      expect(dynamoPids).toHaveLength(1);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await gone(server.serverPid)).toBe(false);
      expect(await gone(dynamoPids[0]!)).toBe(false);
      expect(processesOn(dir)).toEqual([]);
      expect(existsSync(statePaths(dir).server)).toBe(false);
    } finally {
      server.child.kill('SIGKILL');
      if (alive(server.serverPid)) process.kill(server.serverPid, 'SIGKILL');
    }

    const stopped = await npm(['token', '--', 'admin@example.com'], env);
    expect(stopped).toMatchObject({ code: 1, stdout: '' });
    expect(stopped.stderr).toContain('No local server is running');

    const reset = await npm(['reset'], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Removed the local data (dynamodb, mail.jsonl, jwt-key, secrets-key.json)');
    for (const path of [statePaths(dir).dynamodb, statePaths(dir).mail, statePaths(dir).jwtKey, statePaths(dir).secretsKey])
      expect(existsSync(path)).toBe(false);
  }, 120_000);

  it('a server.json left by a killed server: the token says no server runs, and a new start replaces it', async () => {
    const dir = tempStateDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(
      statePaths(dir).server,
      JSON.stringify({ url: 'http://127.0.0.1:1', dynamodbEndpoint: 'http://127.0.0.1:1', tableName: 't', region: 'us-east-1', pid: Number(dead.stdout) }),
    );
    const result = await npm(['token', '--', 'admin@example.com'], { LOCAL_STATE_DIR: dir });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`No local server is running: the one ${statePaths(dir).server} names (pid ${dead.stdout}) has stopped`);
  });
});

describe('every way to stop the server stops it cleanly', () => {
  it('SIGTERM to the node process under npm; SIGHUP to npm, which ends without passing it on (the server sees its parent gone)', async () => {
    const endpoint = inject('dynamoEndpoint');
    const cases = [
      { name: 'SIGTERM to the node process under npm', signal: 'SIGTERM', to: 'server' },
      { name: 'SIGHUP to npm', signal: 'SIGHUP', to: 'npm' },
    ] as const;
    const outcomes = await Promise.all(
      cases.map(async ({ name, signal, to }, i) => {
        const dir = tempStateDir();
        const server = await start({ LOCAL_STATE_DIR: dir, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: `lifecycle-signals-${i}` });
        try {
          if (to === 'server') process.kill(server.serverPid, signal);
          else server.child.kill(signal);
          const npmExit = await server.exited;
          const stillRunning = await gone(server.serverPid);
          return {
            name,
            npmExited: npmExit !== undefined,
            stillRunning,
            serverJson: existsSync(statePaths(dir).server),
            said: /stopping \.\.\./.test(server.output()),
          };
        } finally {
          if (alive(server.serverPid)) process.kill(server.serverPid, 'SIGKILL');
        }
      }),
    );
    expect(outcomes).toEqual(cases.map(({ name }) => ({ name, npmExited: true, stillRunning: false, serverJson: false, said: true })));
  }, 120_000);
});

describe('the server does not outlive its database', () => {
  it('DynamoDB Local killed under a running server: the server says so and stops, exit 1, nothing left', async () => {
    const dir = tempStateDir();
    const server = await start({ LOCAL_STATE_DIR: dir });
    const [java] = processesOn(dir);
    expect(java).toBeDefined();

    process.kill(java!, 'SIGKILL');

    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('DynamoDB Local stopped unexpectedly (killed by SIGKILL); the server stops too.');
    expect(await gone(server.serverPid)).toBe(false);
    expect(existsSync(statePaths(dir).server)).toBe(false);
  });
});

describe('pieces', () => {
  it('the request line: time, method, route template, status, whole milliseconds, request id', () => {
    const at = new Date('2026-01-31T09:00:00.000Z');
    expect(requestLine({ method: 'post', route: '/users/{userId}/dismiss', status: 200, ms: 12.4, requestId: 'r-1' }, at)).toBe(
      '2026-01-31T09:00:00.000Z POST /users/{userId}/dismiss 200 12ms request=r-1',
    );
    expect(requestLine({ method: 'GET', route: undefined, status: 404, ms: 0.2, requestId: 'r-2' }, at)).toBe(
      '2026-01-31T09:00:00.000Z GET (no route) 404 0ms request=r-2',
    );
  });

  it('the token command looks up the claim item the data layer writes', () => {
    expect(emailClaimKey('jane@corp.example')).toEqual(claimKeys.emailClaim('jane@corp.example'));
  });
});
