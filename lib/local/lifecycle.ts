import { currentParentPid, isAlive } from './processes';

/**
 * How the local server ends. Every way out (Ctrl-C, SIGTERM or SIGHUP, the parent `npm` ending,
 * a failed start, an unexpected error) runs the same clean-ups, last registered first, then exits:
 * 0 when asked to stop, 1 on a failure, with a message saying what to do rather than a stack.
 */

/** A start that cannot go on, for a reason its message explains: printed as is, exit code 1. */
export class StartupError extends Error {}

const cleanups: (() => unknown)[] = [];
let exiting = false;

/** Runs `cleanup` on the way out, before what was registered earlier. */
export function onExit(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

export async function exit(code: number, message?: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  if (message) (code === 0 ? console.log : console.error)(message);
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`while stopping: ${(error as Error).message}`);
    }
  }
  process.exit(code);
}

/** A failed start: its message if it is a StartupError, else the stack of what went wrong. */
export function fail(error: unknown): Promise<void> {
  return exit(1, error instanceof StartupError ? error.message : `npm start failed:\n${(error as Error)?.stack ?? String(error)}`);
}

/** SIGINT (Ctrl-C), SIGTERM (kill) and SIGHUP (the terminal closed) stop cleanly; so does an uncaught error, with exit 1. */
export function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void exit(0, `\n${signal}: stopping ...`));
  process.on('uncaughtException', (error) => void exit(1, `The server stopped on an unexpected error:\n${error.stack ?? error.message}`));
}

/**
 * `npm start` runs this process under npm, which passes on SIGINT and SIGTERM; when npm itself
 * ends otherwise (SIGHUP, SIGKILL) this process would be left running with DynamoDB Local. Stop
 * once the parent is gone.
 */
export function stopWithParent(intervalMs = 1_000): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const watch = setInterval(() => {
    const now = currentParentPid();
    if (now === undefined ? !isAlive(parent) : now !== parent) void exit(0, 'The process that started the server has ended: stopping ...');
  }, intervalMs);
  watch.unref();
  onExit(() => clearInterval(watch));
}
