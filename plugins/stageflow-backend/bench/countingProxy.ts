import { Agent, createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of one upstream that counts requests. */
export interface CountingProxy {
  /** `127.0.0.1:<port>`, the registry host that config and images name. */
  host: string;
  url: string;
  /** Requests forwarded since the last reset. */
  count(): number;
  /** `METHOD kind` -> requests since the last reset, kind = manifest/blob/... */
  breakdown(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

function kind(method: string, path: string): string {
  let what = 'other';
  if (/^\/v2\/?$/.test(path)) {
    what = 'ping';
  } else if (path.includes('/manifests/')) {
    what = 'manifest';
  } else if (path.includes('/blobs/uploads')) {
    what = 'upload';
  } else if (path.includes('/blobs/')) {
    what = 'blob';
  } else if (path.includes('/tags/list')) {
    what = 'tags';
  }
  return `${method} ${what}`;
}

// Hop-by-hop headers (RFC 9110, 7.6.1) describe one connection, not the
// message: a proxy does not pass them on. docker-registry answers every
// request with `Connection: close`; passed on, it would make the plugin
// open a connection per request to the proxy, which no registry in front
// of it does.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: Record<string, unknown>) {
  const named = String(headers.connection ?? '')
    .split(',')
    .map(name => name.trim().toLowerCase());
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !HOP_BY_HOP.has(name) && !named.includes(name),
    ),
  ) as Record<string, string | string[]>;
}

/** Forwards everything to 127.0.0.1:<targetPort>, counting each request. */
export async function startCountingProxy(
  targetPort: number,
): Promise<CountingProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const key = kind(req.method ?? 'GET', (req.url ?? '/').split('?')[0]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
      },
      upstreamRes => {
        res.writeHead(
          upstreamRes.statusCode ?? 502,
          endToEnd(upstreamRes.headers),
        );
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    count: () => [...counts.values()].reduce((a, b) => a + b, 0),
    breakdown: () => Object.fromEntries([...counts.entries()].sort()),
    reset: () => {
      counts = new Map();
    },
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => r());
      }),
  };
}
