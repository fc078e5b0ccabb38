import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UpstreamPolicy } from './UpstreamPolicy';
import { DEFAULT_RESILIENCE } from './readResilienceConfig';

async function listen(server: Server): Promise<string> {
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('UpstreamPolicy against real sockets', () => {
  const policy = (overrides: Partial<typeof DEFAULT_RESILIENCE> = {}) =>
    new UpstreamPolicy({
      kind: 'registry',
      host: 'registry.test',
      options: { ...DEFAULT_RESILIENCE, backoffMs: 1, ...overrides },
    });
  const read = {
    operation: 'list tags',
    repository: 'acme/app',
    idempotent: true,
  };

  it('tells a refused connection from an HTTP status', async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise(r => server.close(r));
    await expect(policy().fetch(url, {}, read)).rejects.toThrow(
      'Registry registry.test failed to list tags for acme/app: no response (connection refused)',
    );
  });

  it('times out a host that accepts and never answers', async () => {
    const server = createServer(() => {});
    const url = await listen(server);
    try {
      await expect(
        policy({ timeoutMs: 100, retries: 0 }).fetch(url, {}, read),
      ).rejects.toThrow('no response (timed out), after 100 ms');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends nothing after the last request of a rate-limit budget until its reset', async () => {
    let requests = 0;
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const server = createServer((_req, res) => {
      requests++;
      res
        .writeHead(200, {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        })
        .end('{}');
    });
    const url = await listen(server);
    try {
      const limited = policy();
      await expect(limited.fetch(url, {}, read)).resolves.toMatchObject({
        status: 200,
      });
      await expect(limited.fetch(url, {}, read)).rejects.toThrow(
        `rate limited until ${new Date(
          reset * 1000,
        ).toISOString()}, request not sent`,
      );
      expect(limited.limitedUntil).toEqual(new Date(reset * 1000));
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });

  it('opens the circuit after consecutive failures, sends nothing while open, and probes later', async () => {
    let healthy = false;
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(healthy ? 200 : 503).end();
    });
    const url = await listen(server);
    try {
      const breaking = policy({
        retries: 0,
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
      });
      for (let i = 0; i < 3; i++) {
        await expect(breaking.fetch(url, {}, read)).rejects.toThrow('HTTP 503');
      }
      await expect(breaking.fetch(url, {}, read)).rejects.toThrow(
        /not answering, request not sent; next attempt after \S+, after 3 consecutive failures, the last HTTP 503$/,
      );
      expect(requests).toBe(3);
      expect(breaking.circuitOpen).toBe(true);

      healthy = true;
      await new Promise(r => setTimeout(r, 250));
      await expect(breaking.fetch(url, {}, read)).resolves.toMatchObject({
        status: 200,
      });
      expect(breaking.circuitOpen).toBe(false);
      expect(requests).toBe(4);
    } finally {
      server.close();
    }
  });
});
