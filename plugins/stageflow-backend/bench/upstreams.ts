/*
 * The upstreams of the bench, in a process of their own so that their work
 * (the fake GitHub runs git for every request) is not billed to the
 * plugin's event loop: the fake GitHub REST API and the request-counting
 * proxy in front of docker-registry. Driven by its parent over IPC; ends
 * when asked or when the parent goes away.
 */
import { fork } from 'node:child_process';
import { startFakeGithubServer } from '@stageflow/plugin-stageflow-node/testUtils';
import { startCountingProxy } from './countingProxy';

interface Options {
  repositories: Record<string, string>;
  token: string;
  registryPort: number;
}

export interface UpstreamCounts {
  registry: number;
  registryBreakdown: Record<string, number>;
  github: number;
  githubByStatus: Record<string, number>;
  /** REST requests GitHub counts against the budget (a 304 does not). */
  githubRest: number;
  /** GraphQL queries and their points by GitHub's formula. */
  graphqlQueries: number;
  graphqlPoints: number;
}

type Request =
  | { type: 'reset'; id: number }
  | { type: 'read'; id: number }
  | { type: 'close'; id: number };

/** The upstream process, seen from the bench. */
export interface Upstreams {
  githubApiBaseUrl: string;
  /** `127.0.0.1:<port>` of the counting proxy: the registry host. */
  registryHost: string;
  registryUrl: string;
  /** Starts counting from zero. */
  reset(): Promise<void>;
  read(): Promise<UpstreamCounts>;
  close(): Promise<void>;
}

export async function startUpstreams(options: Options): Promise<Upstreams> {
  // The parent runs with the TypeScript transform in its execArgv, which
  // fork passes on.
  const child = fork(__filename, [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map<number, (value: any) => void>();
  const ready = new Promise<any>((resolve, reject) => {
    child.once('exit', code =>
      reject(
        new Error(`upstream process exited (${code}) before it was ready`),
      ),
    );
    child.on('message', (message: any) => {
      if (message.type === 'ready') {
        resolve(message);
      } else {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  const call = (type: Request['type']) =>
    new Promise<any>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ type, id } satisfies Request, error => {
        if (error) {
          pending.delete(id);
          reject(error);
        }
      });
    });
  const info = await ready;
  return {
    githubApiBaseUrl: info.githubApiBaseUrl,
    registryHost: info.registryHost,
    registryUrl: info.registryUrl,
    reset: async () => {
      await call('reset');
    },
    read: async () => (await call('read')).counts,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise(r => child.once('exit', r));
      await Promise.race([
        call('close'),
        new Promise(r => setTimeout(r, 3000).unref()),
      ]);
      await Promise.race([
        exited,
        new Promise(r => setTimeout(r, 2000).unref()),
      ]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    },
  };
}

async function serve(options: Options) {
  const github = await startFakeGithubServer({
    repositories: options.repositories,
    token: options.token,
  });
  const proxy = await startCountingProxy(options.registryPort);
  let githubMark = 0;
  let graphqlMark = 0;
  const close = async () => {
    await Promise.allSettled([github.close(), proxy.close()]);
  };
  const reply = (message: object) =>
    new Promise<void>(resolve => process.send!(message, () => resolve()));

  process.on('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
  process.on('message', async (message: Request) => {
    if (message.type === 'reset') {
      proxy.reset();
      githubMark = github.requests.length;
      graphqlMark = github.graphqlQueries.length;
      await reply({ id: message.id });
    } else if (message.type === 'read') {
      const requests = github.requests.slice(githubMark);
      const githubByStatus: Record<string, number> = {};
      for (const r of requests) {
        githubByStatus[r.status] = (githubByStatus[r.status] ?? 0) + 1;
      }
      const counts: UpstreamCounts = {
        registry: proxy.count(),
        registryBreakdown: proxy.breakdown(),
        github: requests.length,
        githubByStatus,
        githubRest: requests.filter(
          r => r.operation !== 'POST /graphql' && r.status !== 304,
        ).length,
        graphqlQueries: github.graphqlQueries.length - graphqlMark,
        graphqlPoints: github.graphqlQueries
          .slice(graphqlMark)
          .reduce((sum, q) => sum + q.cost, 0),
      };
      await reply({ id: message.id, counts });
    } else if (message.type === 'close') {
      await close();
      await reply({ id: message.id });
      process.exit(0);
    }
  });
  await reply({
    type: 'ready',
    githubApiBaseUrl: github.apiBaseUrl,
    registryHost: proxy.host,
    registryUrl: proxy.url,
  });
}

if (require.main === module) {
  serve(JSON.parse(process.argv[2]) as Options).catch(error => {
    console.error('upstream process failed', error);
    process.exit(1);
  });
}
