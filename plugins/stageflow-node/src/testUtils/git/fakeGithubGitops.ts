import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../git/runGit';
import { htmlBase, nodeId } from './fakeGithubServer';

/** A request as the fake routes it, for the GitOps endpoints. */
export interface FakeGitopsRequest {
  method: string;
  /** The path below `/repos/{owner}/{repo}`, split on `/`. */
  path: string[];
  slug: string;
  /** The bare repository behind `slug`. */
  repo: string;
  /** The API base, e.g. `http://127.0.0.1:1234/api/v3`. */
  apiBase: string;
  query: URLSearchParams;
  body(): Promise<any>;
  /** The fake's error for an answer with this status. */
  fail(status: number, message: string): Error;
}

async function git(
  repo: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  return (await runGit(args, { cwd: repo, ...options })).stdout.trim();
}

async function tryGit(repo: string, args: string[]) {
  try {
    return await git(repo, args);
  } catch {
    return undefined;
  }
}

async function resolveRef(repo: string, ref: string) {
  const candidates = [`refs/heads/${ref}`, `refs/tags/${ref}`];
  if (/^[0-9a-f]{4,40}$/.test(ref)) {
    candidates.push(ref);
  }
  for (const candidate of candidates) {
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
  return undefined;
}

async function blobAt(repo: string, commit: string, path: string) {
  const out = await git(repo, ['ls-tree', '-z', commit, '--', path]);
  const entry = out.split('\0').find(line => line.endsWith(`\t${path}`));
  const match = /^\d+ blob ([0-9a-f]+)\t/.exec(entry ?? '');
  return match?.[1];
}

function contentEntry(
  apiBase: string,
  slug: string,
  path: string,
  sha: string,
  size: number,
  ref: string,
) {
  const api = `${apiBase}/repos/${slug}`;
  const html = `${htmlBase(apiBase)}/${slug}`;
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  return {
    name: path.split('/').pop() ?? path,
    path,
    sha,
    size,
    url: self,
    html_url: `${html}/blob/${ref}/${path}`,
    git_url: `${api}/git/blobs/${sha}`,
    download_url: `${html}/raw/${ref}/${path}`,
    type: 'file',
    _links: {
      self,
      git: `${api}/git/blobs/${sha}`,
      html: `${html}/blob/${ref}/${path}`,
    },
  };
}

/**
 * The GitOps endpoints of the fake GitHub, over the same bare repositories:
 * reading a file (`GET contents`) and committing one (`PUT contents`, with
 * GitHub's checks of the file's blob sha), answering as GitHub's OpenAPI
 * description says. Pull requests are the lifecycle fake's.
 */
export function createFakeGithubGitops() {
  function operation(method: string, path: string[]): string | undefined {
    if (path[0] === 'contents' && path.length > 1) {
      if (method === 'GET' || method === 'PUT') {
        return `${method} /repos/{owner}/{repo}/contents/{path}`;
      }
    }
    return undefined;
  }

  async function readFile(request: FakeGitopsRequest) {
    const { repo, apiBase, slug } = request;
    const path = decodeURIComponent(request.path.slice(1).join('/'));
    const ref =
      request.query.get('ref') ??
      (await git(repo, ['symbolic-ref', '--short', 'HEAD']));
    const commit = await resolveRef(repo, ref);
    const blob = commit ? await blobAt(repo, commit, path) : undefined;
    if (!blob) {
      throw request.fail(404, 'Not Found');
    }
    const content = await runGit(['cat-file', 'blob', blob], {
      cwd: repo,
    });
    const bytes = Buffer.from(content.stdout, 'utf8');
    // GitHub wraps the base64 text at 60 characters.
    const base64 = bytes.toString('base64').replace(/.{60}/g, '$&\n');
    return {
      status: 200,
      body: {
        ...contentEntry(apiBase, slug, path, blob, bytes.length, ref),
        content: base64,
        encoding: 'base64',
      },
    };
  }

  async function writeFile(request: FakeGitopsRequest) {
    const { repo, apiBase, slug } = request;
    const path = decodeURIComponent(request.path.slice(1).join('/'));
    const body = await request.body();
    if (typeof body.message !== 'string' || typeof body.content !== 'string') {
      throw request.fail(422, 'Invalid request.');
    }
    const branch =
      typeof body.branch === 'string'
        ? body.branch
        : await git(repo, ['symbolic-ref', '--short', 'HEAD']);
    const head = await tryGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}`,
    ]);
    if (!head) {
      throw request.fail(404, `Branch ${branch} not found`);
    }
    const existing = await blobAt(repo, head, path);
    if (existing && body.sha === undefined) {
      throw request.fail(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    }
    if (existing && body.sha !== existing) {
      throw request.fail(409, `${path} does not match ${body.sha}`);
    }
    const content = Buffer.from(body.content, 'base64').toString('utf8');
    const blob = await git(repo, ['hash-object', '-w', '--stdin'], {
      input: content,
    });
    const scratch = await mkdtemp(join(tmpdir(), 'fake-github-index-'));
    let commit: string;
    try {
      const index = { GIT_INDEX_FILE: join(scratch, 'index') };
      await git(repo, ['read-tree', head], { env: index });
      await git(
        repo,
        ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`],
        { env: index },
      );
      const tree = await git(repo, ['write-tree'], { env: index });
      const author = body.author ?? {
        name: 'Fake GitHub',
        email: 'noreply@example.com',
      };
      const committer = body.committer ?? author;
      const date = `${Math.floor(Date.now() / 1000)} +0000`;
      commit = await git(repo, ['commit-tree', tree, '-p', head, '-F', '-'], {
        input: `${String(body.message).replace(/\n*$/, '')}\n`,
        env: {
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: committer.name,
          GIT_COMMITTER_EMAIL: committer.email,
          GIT_COMMITTER_DATE: date,
        },
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    // Only from the head read above: a racing write loses with a 409.
    if (
      (await tryGit(repo, [
        'update-ref',
        `refs/heads/${branch}`,
        commit,
        head,
      ])) === undefined
    ) {
      throw request.fail(409, `${path} does not match ${body.sha}`);
    }
    const [tree, authorLine, committerLine, message] = (
      await git(repo, [
        'log',
        '-1',
        '--format=%T%x00%an%x1f%ae%x1f%aI%x00%cn%x1f%ce%x1f%cI%x00%B',
        commit,
      ])
    ).split('\0');
    const person = (line: string) => {
      const [name, email, date] = line.split('\x1f');
      return { name, email, date: new Date(date).toISOString() };
    };
    const api = `${apiBase}/repos/${slug}`;
    const html = `${htmlBase(apiBase)}/${slug}`;
    return {
      status: existing ? 200 : 201,
      body: {
        content: contentEntry(
          apiBase,
          slug,
          path,
          blob,
          Buffer.byteLength(content),
          branch,
        ),
        commit: {
          sha: commit,
          node_id: nodeId('C', commit),
          url: `${api}/git/commits/${commit}`,
          html_url: `${html}/commit/${commit}`,
          author: person(authorLine),
          committer: person(committerLine),
          message: message.replace(/\n+$/, ''),
          tree: { url: `${api}/git/trees/${tree}`, sha: tree },
          parents: [
            {
              url: `${api}/git/commits/${head}`,
              html_url: `${html}/commit/${head}`,
              sha: head,
            },
          ],
          verification: {
            verified: false,
            reason: 'unsigned',
            signature: null,
            payload: null,
            verified_at: null,
          },
        },
      },
    };
  }

  /** Answers a GitOps request; undefined for any other. */
  async function route(
    request: FakeGitopsRequest,
  ): Promise<{ status: number; body: unknown } | undefined> {
    const op = operation(request.method, request.path);
    if (op?.startsWith('GET')) {
      return readFile(request);
    }
    if (op?.startsWith('PUT')) {
      return writeFile(request);
    }
    return undefined;
  }

  return { operation, route };
}
