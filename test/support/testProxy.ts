import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/** A real HTTP proxy on loopback, for the tests of a company network's proxy. */
export interface TestProxy {
  url: string;
  port: number;
  /** The target of every CONNECT it was asked for, `host:port`. */
  connects: string[];
  stop(): Promise<void>;
}

/** Starts the npm `proxy` package on a free port; with `password`, it asks user `relay` for it (407). */
export async function startProxy(options: { password?: string } = {}): Promise<TestProxy> {
  const connects: string[] = [];
  const server = createProxy(createServer());
  server.on('connect', (request: IncomingMessage) => connects.push(request.url ?? ''));
  if (options.password) {
    const expected = `Basic ${Buffer.from(`relay:${options.password}`).toString('base64')}`;
    server.authenticate = (request) => request.headers['proxy-authorization'] === expected;
  }
  // Tunnels leave the server's bookkeeping once established: stopping destroys them by hand.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
