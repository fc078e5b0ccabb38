import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { runGit } from '../../git/runGit';
import { createFakeGithubLifecycle } from './fakeGithubLifecycle';

/** One request the fake GitHub answered. */
export interface FakeGithubRequest {
  method: string;
  path: string;
  status: number;
}

/** A running fake GitHub REST API over real bare repositories. */
export interface FakeGithubServer {
  /** `http://127.0.0.1:<port>/api/v3`, as for GitHub Enterprise. */
  apiBaseUrl: string;
  requests: FakeGithubRequest[];
  countBy(filter?: (request: FakeGithubRequest) => boolean): number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const COMMIT_FORMAT = '%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e';
const API_PREFIX = '/api/v3';

async function git(repo: string, args: string[], input?: string) {
  return (await runGit(args, { cwd: repo, input })).stdout;
}

async function tryGit(repo: string, args: string[]) {
  try {
    return (await git(repo, args)).trim();
  } catch {
    return undefined;
  }
}

function parseCommits(output: string, baseUrl: string, slug: string) {
  return output
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(record => record.length > 0)
    .map(record => {
      const [sha, an, ae, ad, cn, ce, cd, message] = record.split('\x00');
      return {
        sha,
        url: `${baseUrl}/repos/${slug}/commits/${sha}`,
        commit: {
          message: message.replace(/\n+$/, ''),
          author: { name: an, email: ae, date: isoUtc(ad) },
          committer: { name: cn, email: ce, date: isoUtc(cd) },
        },
      };
    });
}

function isoUtc(date: string) {
  return new Date(date).toISOString().replace('.000Z', 'Z');
}

async function resolve(repo: string, ref: string): Promise<string | undefined> {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
    const sha = await tryGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${candidate}^{commit}`,
    ]);
    if (sha) {
      return sha;
    }
  }
  if (/^[0-9a-f]{4,40}$/.test(ref)) {
    return tryGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${ref}^{commit}`,
    ]);
  }
  return undefined;
}

function paginate<T>(items: T[], url: URL, publicBase: string) {
  const perPage = Math.min(
    Number(url.searchParams.get('per_page') ?? 30) || 30,
    100,
  );
  const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number) => {
    const next = new URL(`${publicBase}${url.pathname}`);
    url.searchParams.forEach((value, key) => next.searchParams.set(key, value));
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('page', String(n));
    return next.toString();
  };
  const links: string[] = [];
  if (page < last) {
    links.push(
      `<${link(page + 1)}>; rel="next"`,
      `<${link(last)}>; rel="last"`,
    );
  }
  if (page > 1) {
    links.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
  }
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    link: links.length ? links.join(', ') : undefined,
  };
}

function compareStatus(ahead: number, behind: number) {
  if (ahead && behind) {
    return 'diverged';
  }
  if (ahead) {
    return 'ahead';
  }
  return behind ? 'behind' : 'identical';
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function tagObject(
  repo: string,
  sha: string,
  baseUrl: string,
  slug: string,
) {
  if ((await tryGit(repo, ['cat-file', '-t', sha])) !== 'tag') {
    throw new HttpError(404, 'Not Found');
  }
  const raw = await git(repo, ['cat-file', 'tag', sha]);
  const split = raw.indexOf('\n\n');
  const headers = raw.slice(0, split).split('\n');
  const field = (name: string) =>
    headers.find(line => line.startsWith(`${name} `))?.slice(name.length + 1);
  const tagger = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(field('tagger') ?? '');
  return {
    sha,
    url: `${baseUrl}/repos/${slug}/git/tags/${sha}`,
    tag: field('tag'),
    message: raw.slice(split + 2).replace(/\n$/, ''),
    tagger: tagger
      ? {
          name: tagger[1],
          email: tagger[2],
          date: new Date(Number(tagger[3]) * 1000)
            .toISOString()
            .replace('.000Z', 'Z'),
        }
      : undefined,
    object: { sha: field('object'), type: field('type') },
  };
}

/**
 * Starts a fake of the GitHub REST endpoints the client uses, on 127.0.0.1,
 * serving real bare repositories (`owner/repo` to path).
 */
export async function startFakeGithubServer(options: {
  repositories: Record<string, string>;
  token?: string;
}): Promise<FakeGithubServer> {
  const requests: FakeGithubRequest[] = [];
  let publicBase = '';
  const lifecycle = createFakeGithubLifecycle();

  async function route(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ status: number; body: unknown; link?: string }> {
    if (
      options.token &&
      req.headers.authorization !== `token ${options.token}`
    ) {
      throw new HttpError(401, 'Bad credentials');
    }
    if (!url.pathname.startsWith(`${API_PREFIX}/repos/`)) {
      throw new HttpError(404, 'Not Found');
    }
    const rest = url.pathname.slice(`${API_PREFIX}/repos/`.length).split('/');
    const slug = `${rest[0]}/${rest[1]}`;
    const repo = options.repositories[slug];
    if (!repo) {
      throw new HttpError(404, 'Not Found');
    }
    const path = rest.slice(2);
    const tail = (from: number) =>
      decodeURIComponent(path.slice(from).join('/'));
    const method = req.method ?? 'GET';
    const base = `${publicBase}${API_PREFIX}`;

    if (method === 'GET' && path.length === 0) {
      const head = await git(repo, ['symbolic-ref', '--short', 'HEAD']);
      return {
        status: 200,
        body: {
          name: rest[1],
          full_name: slug,
          default_branch: head.trim(),
          private: false,
        },
      };
    }
    if (method === 'GET' && path[0] === 'git' && path[1] === 'matching-refs') {
      const prefix = `refs/${tail(2)}`;
      const out = await git(repo, [
        'for-each-ref',
        '--format=%(refname) %(objectname) %(objecttype)',
      ]);
      const refs = out
        .split('\n')
        .filter(line => line.startsWith(prefix))
        .map(line => {
          const [ref, sha, type] = line.split(' ');
          return {
            ref,
            url: `${base}/repos/${slug}/git/${ref}`,
            object: { sha, type },
          };
        });
      const page = paginate(refs, url, publicBase);
      return { status: 200, body: page.items, link: page.link };
    }
    if (method === 'GET' && path[0] === 'git' && path[1] === 'ref') {
      const ref = `refs/${tail(2)}`;
      const line = await tryGit(repo, [
        'for-each-ref',
        '--format=%(objectname) %(objecttype)',
        ref,
      ]);
      if (!line) {
        throw new HttpError(404, 'Not Found');
      }
      const [sha, type] = line.split(' ');
      return { status: 200, body: { ref, object: { sha, type } } };
    }
    if (
      method === 'GET' &&
      path[0] === 'git' &&
      path[1] === 'tags' &&
      path.length === 3
    ) {
      return { status: 200, body: await tagObject(repo, path[2], base, slug) };
    }
    if (method === 'GET' && path[0] === 'commits' && path.length >= 2) {
      const ref = tail(1);
      const sha = await resolve(repo, ref);
      if (!sha) {
        throw new HttpError(422, `No commit found for SHA: ${ref}`);
      }
      const out = await git(repo, [
        'log',
        '-1',
        `--format=${COMMIT_FORMAT}`,
        sha,
      ]);
      return {
        status: 200,
        body: { ...parseCommits(out, base, slug)[0], files: [] },
      };
    }
    if (method === 'GET' && path[0] === 'compare') {
      const [baseRef, headRef] = tail(1).split('...');
      const baseSha = await resolve(repo, baseRef ?? '');
      const headSha = await resolve(repo, headRef ?? '');
      if (!baseSha || !headSha) {
        throw new HttpError(404, 'Not Found');
      }
      const ahead = Number(
        await git(repo, ['rev-list', '--count', `${baseSha}..${headSha}`]),
      );
      const behind = Number(
        await git(repo, ['rev-list', '--count', `${headSha}..${baseSha}`]),
      );
      const out = await git(repo, [
        'log',
        '--reverse',
        `--format=${COMMIT_FORMAT}`,
        `${baseSha}..${headSha}`,
      ]);
      const page = paginate(parseCommits(out, base, slug), url, publicBase);
      const commitOf = async (sha: string) =>
        parseCommits(
          await git(repo, ['log', '-1', `--format=${COMMIT_FORMAT}`, sha]),
          base,
          slug,
        )[0];
      const mergeBase = await git(repo, ['merge-base', baseSha, headSha]);
      return {
        status: 200,
        body: {
          base_commit: await commitOf(baseSha),
          merge_base_commit: await commitOf(mergeBase.trim()),
          status: compareStatus(ahead, behind),
          ahead_by: ahead,
          behind_by: behind,
          total_commits: ahead,
          commits: page.items,
          files: [],
        },
        link: page.link,
      };
    }
    if (method === 'GET' && path[0] === 'branches' && path.length === 1) {
      const out = await git(repo, [
        'for-each-ref',
        '--format=%(refname:strip=2) %(objectname)',
        'refs/heads',
      ]);
      const branches = out
        .split('\n')
        .filter(Boolean)
        .map(line => {
          const [name, sha] = line.split(' ');
          return {
            name,
            commit: { sha, url: `${base}/repos/${slug}/commits/${sha}` },
            protected: false,
          };
        });
      const page = paginate(branches, url, publicBase);
      return { status: 200, body: page.items, link: page.link };
    }
    if (method === 'POST' && path[0] === 'git' && path[1] === 'refs') {
      const { ref, sha } = await readBody(req);
      if (
        typeof ref !== 'string' ||
        !ref.startsWith('refs/') ||
        (await tryGit(repo, ['check-ref-format', ref])) === undefined
      ) {
        throw new HttpError(422, 'Reference name is not valid');
      }
      const type = await tryGit(repo, ['cat-file', '-t', String(sha)]);
      if (!type) {
        throw new HttpError(422, 'Object does not exist');
      }
      // The empty old value makes git refuse to overwrite: an atomic create.
      if ((await tryGit(repo, ['update-ref', ref, sha, ''])) === undefined) {
        throw new HttpError(422, 'Reference already exists');
      }
      return {
        status: 201,
        body: {
          ref,
          url: `${base}/repos/${slug}/git/${ref}`,
          object: { sha, type },
        },
      };
    }
    if (method === 'POST' && path[0] === 'git' && path[1] === 'tags') {
      const body = await readBody(req);
      if (
        (await tryGit(repo, ['cat-file', '-t', String(body.object)])) !==
        body.type
      ) {
        throw new HttpError(422, 'Object does not exist');
      }
      const tagger = body.tagger ?? {
        name: 'Fake GitHub',
        email: 'noreply@example.com',
      };
      const when = Math.floor(
        (tagger.date ? Date.parse(tagger.date) : Date.now()) / 1000,
      );
      const text = [
        `object ${body.object}`,
        `type ${body.type}`,
        `tag ${body.tag}`,
        `tagger ${tagger.name} <${tagger.email}> ${when} +0000`,
        '',
        `${String(body.message).replace(/\n*$/, '')}\n`,
      ].join('\n');
      const sha = (await git(repo, ['mktag'], text)).trim();
      return { status: 201, body: await tagObject(repo, sha, base, slug) };
    }
    const handled = await lifecycle.route({
      method,
      path,
      slug,
      repo,
      apiBase: base,
      webBase: publicBase,
      query: url.searchParams,
      body: () => readBody(req),
    });
    if (handled) {
      return handled;
    }
    throw new HttpError(404, 'Not Found');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', publicBase);
    let status = 500;
    try {
      const result = await route(req, url);
      const body = result.body === undefined ? '' : JSON.stringify(result.body);
      const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
      };
      if (result.link) {
        headers.link = result.link;
      }
      if (req.method === 'GET') {
        headers.etag = etag;
        if (req.headers['if-none-match'] === etag) {
          status = 304;
          // Like GitHub: a 304 has no body, so no content type either.
          const { 'content-type': _omitted, ...notModified } = headers;
          res.writeHead(304, notModified).end();
          return;
        }
      }
      status = result.status;
      res.writeHead(status, headers).end(body);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
        })
        .end(JSON.stringify({ message: (error as Error).message }));
    } finally {
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status,
      });
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>(resolveListen =>
    server.listen(0, '127.0.0.1', resolveListen),
  );
  publicBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiBaseUrl: `${publicBase}${API_PREFIX}`,
    requests,
    countBy: filter =>
      filter ? requests.filter(filter).length : requests.length,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolveClose()));
      }),
  };
}
