import * as z from '../zod';
import { emailSchema } from '../domain/email';
import { StartupError } from './lifecycle';
import type { RecordedState } from './state';

/** The settings of `npm start` (README "Configuration"); lib/config.ts reads the rest. */
const localEnvSchema = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
  HOST: z._default(z.string(), '127.0.0.1'),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  TABLE_NAME: z._default(z.string().check(z.minLength(1)), 'employee-directory'),
  BOOTSTRAP_ADMIN_EMAIL: z._default(emailSchema, 'admin@example.com'),
});

export type LocalEnv = z.infer<typeof localEnvSchema>;

/** The settings, or a StartupError naming each bad one. */
export function readLocalEnv(env: Record<string, string | undefined> = process.env): LocalEnv {
  const parsed = localEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
  throw new StartupError(`npm start cannot use these settings:\n${problems.join('\n')}\n(see "Configuration" in README.md)`);
}

/** What to do when the port cannot be listened on: one paragraph naming the port and the way out. */
export function portMessage(host: string, port: number, code: string): string {
  const other = port < 65535 ? port + 1 : 3000;
  if (code === 'EADDRINUSE') {
    return (
      `Port ${port} on ${host} is already in use, by another program or another \`npm start\`. Stop that, or start on another port: ` +
      `PORT=${other} npm start (PORT=0 picks a free one).`
    );
  }
  if (code === 'EACCES') return `Port ${port} on ${host} needs privileges this user does not have (EACCES). Pick a port above 1023: PORT=${other} npm start.`;
  if (code === 'EADDRNOTAVAIL') return `HOST=${host} is not an address of this machine (EADDRNOTAVAIL). Leave HOST unset for 127.0.0.1.`;
  return `Cannot listen on ${host}:${port} (${code}). Pick another port: PORT=${other} npm start, or another HOST.`;
}

/** Why a second server on the same state folder is refused, and what to do instead. */
export function alreadyRunning(holder: RecordedState, stateDir: string): string {
  const what = 'url' in holder ? `pid ${holder.pid}, ${holder.url}` : `pid ${holder.pid}, still starting`;
  return (
    `A server is already running on this state folder (${stateDir}): ${what}. Use that one, or stop it first ` +
    `(Ctrl-C in its terminal, or kill ${holder.pid}). A second server needs its own folder and port: LOCAL_STATE_DIR=.local/second PORT=3001 npm start.`
  );
}
