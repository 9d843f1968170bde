import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens, resolving with the port (the one chosen for port 0); rejects with the listen error (EADDRINUSE ...). */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Why this port cannot be listened on (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL` ...), or undefined when it can. */
export async function portUnavailable(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  if (port === 0) return undefined;
  const probe = createServer();
  try {
    await listen(probe, port, host);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}
