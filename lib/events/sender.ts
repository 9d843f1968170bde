import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { addressAllowed, targetProblem, type EventTargets } from '../domain/target-url';

/**
 * One HTTP attempt to deliver a signed event (docs/events.md, "Security"): POST, no redirect
 * followed (a 3xx is a failure), the whole attempt bounded by `timeoutMs`, at most `maxBodyBytes`
 * of the answer read and thrown away. The connection resolves the host through {@link guardedLookup}:
 * every address the name resolves to must be allowed, checked on the connection itself, so DNS
 * rebinding between a check and the connect cannot reach a refused address.
 */

export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export type SendSettings = {
  targets: EventTargets;
  timeoutMs: number;
  maxBodyBytes: number;
  /** How names are resolved (tests stand in a resolver of their own); default: the system's. */
  resolve?: Resolver | undefined;
};

export type Attempt = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
}

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** A `lookup` for http.request that refuses a name resolving to any address the settings forbid. */
export function guardedLookup(targets: EventTargets, resolve: Resolver = systemResolver) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.find((a) => !addressAllowed(a.address, targets));
      if (addresses.length === 0 || refused) {
        const problem = new TargetRefused(`${hostname} resolves to an address deliveries may not go to`) as NodeJS.ErrnoException;
        problem.code = 'ETARGETREFUSED';
        return callback(problem, '');
      }
      if ((options as LookupAllOptions).all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export function send(url: string, headers: Record<string, string>, body: string, settings: SendSettings): Promise<Attempt> {
  const problem = targetProblem(url, settings.targets);
  if (problem) return Promise.resolve({ ok: false, statusCode: null, error: `target refused: ${problem}` });
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to without a lookup: check it here (targetProblem did).
  if (isIP(host) !== 0 && !addressAllowed(host, settings.targets)) return Promise.resolve({ ok: false, statusCode: null, error: 'target refused' });
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'employee-directory-webhooks/1',
        },
        lookup: guardedLookup(settings.targets, settings.resolve) as never,
        agent: false,
      },
      (res: IncomingMessage) => {
        const statusCode = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > settings.maxBodyBytes) res.destroy();
        });
        const done = () =>
          finish(statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `answered ${statusCode}` });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`));
    }, settings.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        statusCode: null,
        error: error instanceof TargetRefused ? 'target refused: resolves to a forbidden address' : error.message || String(error.code),
      }),
    );
    req.end(body);
  });
}

/**
 * A `fetch` for connectors (lib/connectors/scim/client.ts) with the same guard as deliveries: the
 * URL must be a target the settings allow, and every address the host resolves to is checked on
 * the connection itself. No redirect is followed (the SCIM client treats a 3xx as a failure).
 */
export function guardedFetch(settings: Pick<SendSettings, 'targets' | 'resolve'>): typeof fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const problem = targetProblem(url.href, settings.targets);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (problem || (isIP(host) !== 0 && !addressAllowed(host, settings.targets))) {
        reject(new TargetRefused(`target refused: ${problem ?? 'a forbidden address'}`));
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const body = typeof init.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          lookup: guardedLookup(settings.targets, settings.resolve) as never,
          agent: false,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const noBody = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
          if (noBody) res.resume();
          resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream), { status, headers: answerHeaders }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}
