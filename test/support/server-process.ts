import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** `npm start` as a child process: the real local runtime, to be stopped or killed for real. */
export type ServerProcess = {
  url: string;
  /** The DynamoDB endpoint it uses (its own DynamoDB Local's unless DYNAMODB_ENDPOINT was given). */
  endpoint: string;
  adminId: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
};

const stateDirs: string[] = [];

/** A fresh, private folder for a server's `.local/` state (removed by `removeTempStateDirs`). */
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'directory-state-'));
  stateDirs.push(dir);
  return dir;
}

/** Removes the folders `tempStateDir` made (once their servers have exited). */
export function removeTempStateDirs(): void {
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts lib/local/start.ts with `env` added (PORT=0: a free port) and resolves once it prints
 * its banner. The process is killed if the banner does not come within `timeoutMs`.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let done = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    const endpoint = /DynamoDB:\s+(http:\/\/\S+)/.exec(output)?.[1];
    const adminId = /Admin:.*\bid (\w+)\)/.exec(output)?.[1];
    if (url && endpoint && adminId) {
      return {
        url,
        endpoint,
        adminId,
        output: () => output,
        exited,
        kill: async (signal) => {
          if (!done) child.kill(signal);
          await exited;
        },
      };
    }
    if (done) throw new Error(`the server exited before serving:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }
}

/** Polls `read` until `done` holds of its value; the last value otherwise, after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}
