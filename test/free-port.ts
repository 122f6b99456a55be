/**
 * A TCP port free on loopback right now, for a server a test or the bench starts (the port is
 * released before it is returned, so another process could take it first; loopback tests live with
 * that). Shared by the server, chaos and end-to-end tests and by bench/.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
