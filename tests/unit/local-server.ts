/** An HTTP server on 127.0.0.1 for the tests that download (the Hub stand-ins). */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free port; the endpoint is its http://127.0.0.1:PORT address. */
export async function startLocalServer(
  handler: RequestListener,
): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes the server and every connection still open. */
export async function stopLocalServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
