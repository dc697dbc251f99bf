/**
 * A loopback HTTP endpoint whose answers a test scripts. Adapter unit tests point the real client
 * (AWS SDK or HTTP connector) at it to play what neither DynamoDB Local nor moto ever does:
 * throttled batches, failed PutEvents entries, a partner that answers slowly or refuses.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubEndpoint {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Drops every open connection (a client waiting for an answer sees the socket close). */
  closeConnections(): void;
  /** Drops every open connection and stops listening. */
  close(): Promise<void>;
}

/** Starts the endpoint on a free loopback port; `answer` gets each request once its whole body (as text) has arrived. */
export const startStubEndpoint = async (answer: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<StubEndpoint> => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => answer(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closeConnections: () => server.closeAllConnections(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** AWS SDK client settings for an endpoint: dummy credentials and no SDK retries, so a test sees only the adapter's own retries. */
export const stubClientConfig = (
  endpoint: string,
): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number } => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
