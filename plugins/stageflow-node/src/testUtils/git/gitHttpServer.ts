import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A smart HTTP git server (`git http-backend`) on 127.0.0.1. */
export interface GitHttpServer {
  url: string;
  /** Requests received, including refused ones. */
  requests: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `projectRoot` over smart HTTP, with
 * receive-pack (pushes) allowed, optionally behind basic auth.
 */
export async function startGitHttpServer(options: {
  projectRoot: string;
  credentials?: { username: string; password: string };
}): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const expected = options.credentials
    ? `Basic ${Buffer.from(
        `${options.credentials.username}:${options.credentials.password}`,
      ).toString('base64')}`
    : undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record = (status: number) =>
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status,
      });
    if (expected && req.headers.authorization !== expected) {
      record(401);
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        // http-backend refuses pushes from anonymous users unless told.
        REMOTE_USER: options.credentials?.username ?? 'anonymous',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(backend.stdin);
    let buffer = Buffer.alloc(0);
    let headersSent = false;
    let status = 200;
    backend.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of buffer
        .subarray(0, end)
        .toString('utf8')
        .split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') {
          status = Number(value.split(' ')[0]);
        } else {
          headers[name] = value;
        }
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(buffer.subarray(end + 4));
    });
    backend.on('close', () => {
      record(status);
      if (!headersSent) {
        res.writeHead(500).end();
      } else {
        res.end();
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
