import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What runs on a local state folder: the `npm start` server recorded in its server.json, and any
 * DynamoDB Local started on its data directory. Used to refuse a second server or a reset while
 * one runs, and to stop a DynamoDB Local an earlier run left behind.
 */

/** Whether a process with this id exists (and may be signalled by us). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's command line, or undefined when it is gone (or cannot be read). */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // No /proc (macOS): ask ps.
  }
  const ps = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim() : undefined;
}

/** Whether this process id is an `npm start` server (lib/local/start.ts), not a process that reused the id. */
export function isLocalServer(pid: number): boolean {
  return isAlive(pid) && /\blocal[/\\]start\.ts\b/.test(commandLine(pid) ?? '');
}

/** This process's parent now (it changes when the parent ends), where the system tells. */
export function currentParentPid(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export type ProcessRow = { pid: number; ppid: number; args: string };

/** Every process (id, parent, command line), from ps; empty where ps cannot tell. */
export function listProcesses(): ProcessRow[] {
  const ps = spawnSync('ps', ['-e', '-ww', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  if (ps.status !== 0) return [];
  const rows: ProcessRow[] = [];
  for (const line of ps.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) rows.push({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! });
  }
  return rows;
}

/** The DynamoDB Local processes (our loopback launcher) serving this data directory. */
export function dynamoLocalsOn(dbPath: string): ProcessRow[] {
  return listProcesses().filter(
    (row) =>
      row.pid !== process.pid &&
      row.args.includes('LoopbackDynamoDBLocal') &&
      (row.args.endsWith(` -dbPath ${dbPath}`) || row.args.includes(` -dbPath ${dbPath} `)),
  );
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function terminate(pid: number, graceMs = 5_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    await sleep(50);
  }
}
