import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';

export type RegistryAuthMode = 'none' | 'basic' | 'token';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the host image references use. */
  host: string;
  url: string;
  /** The storage root, to measure what was written. */
  storageDir: string;
  username?: string;
  password?: string;
  /** Scopes the token server was asked for (token mode). */
  tokenRequests: string[][];
  /**
   * Restarts the registry on the same port and storage with other
   * notifications (none when omitted), e.g. to leave a set-up's pushes out
   * of what a test is notified of.
   */
  reconfigure(options: {
    notifications?: TestRegistryNotifications;
  }): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_USER = 'stageflow';
export const TEST_PASSWORD = 'not-a-real-secret-1';

function requireTool(tool: string) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${tool} is not installed: the registry integration tests need Debian's docker-registry, apache2-utils and openssl (apt-get install -y docker-registry apache2-utils openssl)`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A token server of the distribution token spec, granting what is asked. */
async function startTokenServer(dir: string, service: string, issuer: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=stageflow-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'));
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const certDer = certPem.replace(/-----[^-]+-----|\s/g, '');
  const requests: string[][] = [];
  const expectedAuth = `Basic ${Buffer.from(
    `${TEST_USER}:${TEST_PASSWORD}`,
  ).toString('base64')}`;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers.authorization !== expectedAuth) {
      res.writeHead(401).end();
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push(scopes);
    const access = scopes.map(scope => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(
      JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certDer] }),
    );
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: TEST_USER,
        aud: url.searchParams.get('service') ?? service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = base64url(
      sign('sha256', Buffer.from(`${header}.${claims}`), key),
    );
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token: `${header}.${claims}.${signature}`,
        expires_in: 300,
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath: join(dir, 'cert.pem'),
    requests,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

async function waitForRegistry(
  url: string,
  child: ChildProcess,
  logs: () => string,
) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited (${child.exitCode}): ${logs()}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      return;
    } catch {
      await new Promise(r => setTimeout(r, 50));
    }
  }
  throw new Error(`docker-registry did not answer at ${url}: ${logs()}`);
}

/** Where the registry's own notifications (`notifications.endpoints`) go. */
export interface TestRegistryNotifications {
  url: string;
  headers?: Record<string, string[]>;
}

function notificationsConfig(endpoint?: TestRegistryNotifications) {
  if (!endpoint) {
    return {};
  }
  return {
    notifications: {
      endpoints: [
        {
          name: 'stageflow-test',
          url: endpoint.url,
          headers: endpoint.headers ?? {},
          timeout: '2s',
          threshold: 3,
          backoff: '1s',
          // As the plugin's README advises: every manifest read (a card, a
          // snapshot) would otherwise queue a notice ahead of the next push.
          // distribution 2.8 applies `actions` only when `mediatypes` lists
          // one: blob events, which Stageflow does not read.
          ignore: {
            mediatypes: ['application/octet-stream'],
            actions: ['pull'],
          },
        },
      ],
    },
  };
}

/** Starts Debian's docker-registry on a free loopback port in a temp dir. */
export async function startTestRegistry(
  auth: RegistryAuthMode = 'none',
  options: {
    /** The registry's own notifications (`notifications.endpoints`) go here. */
    notifications?: TestRegistryNotifications;
  } = {},
): Promise<TestRegistry> {
  requireTool('docker-registry');
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const storageDir = join(dir, 'storage');
  let authConfig: object = {};
  let tokenServer: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  if (auth === 'basic') {
    requireTool('htpasswd');
    const line = execFileSync('htpasswd', ['-Bbn', TEST_USER, TEST_PASSWORD], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'htpasswd'), `${line.trim()}\n`);
    authConfig = {
      auth: {
        htpasswd: { realm: 'stageflow-test', path: join(dir, 'htpasswd') },
      },
    };
  } else if (auth === 'token') {
    requireTool('openssl');
    tokenServer = await startTokenServer(
      dir,
      'stageflow-test',
      'stageflow-test-issuer',
    );
    authConfig = {
      auth: {
        token: {
          realm: tokenServer.realm,
          service: 'stageflow-test',
          issuer: 'stageflow-test-issuer',
          rootcertbundle: tokenServer.certPath,
        },
      },
    };
  }
  const configPath = join(dir, 'config.yml');
  const writeConfig = (notifications?: TestRegistryNotifications) =>
    writeFileSync(
      configPath,
      stringifyYaml({
        version: 0.1,
        log: { level: 'error', accesslog: { disabled: true } },
        storage: {
          filesystem: { rootdirectory: storageDir },
          delete: { enabled: true },
        },
        http: {
          addr: host,
          secret: createHash('sha256').update(dir).digest('hex'),
        },
        ...authConfig,
        ...notificationsConfig(notifications),
      }),
    );
  const url = `http://${host}`;
  let stderr = '';
  const spawnRegistry = async () => {
    const started = spawn('docker-registry', ['serve', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.stderr!.on('data', chunk => {
      stderr = (stderr + chunk).slice(-4000);
    });
    try {
      await waitForRegistry(url, started, () => stderr);
    } catch (e) {
      started.kill('SIGKILL');
      throw e;
    }
    return started;
  };
  const stopRegistry = async (running: ChildProcess) => {
    if (running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const exited = new Promise(r => running.once('exit', r));
    running.kill('SIGTERM');
    await Promise.race([exited, new Promise(r => setTimeout(r, 2000))]);
    if (running.exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL');
      await exited;
    }
  };
  writeConfig(options.notifications);
  let child: ChildProcess;
  try {
    child = await spawnRegistry();
  } catch (e) {
    await tokenServer?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host,
    url,
    storageDir,
    ...(auth !== 'none' && { username: TEST_USER, password: TEST_PASSWORD }),
    tokenRequests: tokenServer?.requests ?? [],
    async reconfigure(next) {
      await stopRegistry(child);
      writeConfig(next.notifications);
      child = await spawnRegistry();
    },
    async stop() {
      await stopRegistry(child);
      await tokenServer?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
