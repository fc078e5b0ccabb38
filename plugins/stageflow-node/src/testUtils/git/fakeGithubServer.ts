import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { runGit } from '../../git/runGit';
import { readGit } from './fakeGitReads';
import { createFakeGithubLifecycle } from './fakeGithubLifecycle';
import { createFakeGithubGitops } from './fakeGithubGitops';
import {
  createFakeGithubGraphql,
  FakeGithubGraphqlQuery,
} from './fakeGithubGraphql';

/** One request the fake GitHub answered. */
export interface FakeGithubRequest {
  method: string;
  path: string;
  status: number;
  /** The operation of GitHub's OpenAPI description, e.g. `GET /repos/{owner}/{repo}/git/ref/{ref}`. */
  operation?: string;
  /** The JSON body sent back (absent for 304). */
  body?: unknown;
  /** When the request arrived (epoch ms). */
  at: number;
}

/**
 * How the fake answers while rate limited, as GitHub does: `primary` is 403
 * with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`; `secondary` is
 * 403 with `retry-after`; `429` is 429 with `retry-after`.
 */
export type FakeGithubRateLimit =
  | {
      mode: 'primary';
      resetAt: Date;
      /**
       * Requests still answered before the 403s; the last of them says
       * `x-ratelimit-remaining: 0`, as GitHub's last request of a budget does.
       */
      remaining?: number;
    }
  | { mode: 'secondary'; retryAfterSeconds: number }
  | { mode: '429'; retryAfterSeconds: number };

/** A running fake GitHub REST API over real bare repositories. */
export interface FakeGithubServer {
  /** `http://127.0.0.1:<port>/api/v3`, as for GitHub Enterprise. */
  apiBaseUrl: string;
  requests: FakeGithubRequest[];
  /** The GraphQL queries answered (`POST /api/graphql`), with their point cost. */
  graphqlQueries: FakeGithubGraphqlQuery[];
  countBy(filter?: (request: FakeGithubRequest) => boolean): number;
  /** Answers every request with a rate-limit error until cleared with `undefined`. */
  setRateLimit(limit: FakeGithubRateLimit | undefined): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const DOCS = 'https://docs.github.com/rest';

const COMMIT_FORMAT =
  '%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e';
/** Commits a compare lists when the client does not page. */
const UNPAGED_COMPARE_LIMIT = 250;
const API_PREFIX = '/api/v3';

// Commands that only read are answered once per state of the refs.
const READS = new Set([
  'cat-file',
  'for-each-ref',
  'log',
  'merge-base',
  'rev-list',
  'rev-parse',
  'symbolic-ref',
]);

async function git(repo: string, args: string[], input?: string) {
  if (input === undefined && READS.has(args[0])) {
    return readGit(repo, args);
  }
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
      const [sha, tree, parents, an, ae, ad, cn, ce, cd, message] =
        record.split('\x00');
      const api = `${baseUrl}/repos/${slug}`;
      const html = `${htmlBase(baseUrl)}/${slug}`;
      return {
        url: `${api}/commits/${sha}`,
        sha,
        node_id: nodeId('C', sha),
        html_url: `${html}/commit/${sha}`,
        comments_url: `${api}/commits/${sha}/comments`,
        commit: {
          url: `${api}/git/commits/${sha}`,
          author: { name: an, email: ae, date: isoUtc(ad) },
          committer: { name: cn, email: ce, date: isoUtc(cd) },
          message: message.replace(/\n+$/, ''),
          comment_count: 0,
          tree: { sha: tree, url: `${api}/git/trees/${tree}` },
        },
        // No GitHub account behind the fake's authors.
        author: null,
        committer: null,
        parents: parents
          .split(' ')
          .filter(Boolean)
          .map(parent => ({
            sha: parent,
            url: `${api}/commits/${parent}`,
            html_url: `${html}/commit/${parent}`,
          })),
      };
    });
}

export function htmlBase(apiBase: string) {
  return apiBase.replace(/\/api\/v3$/, '');
}

export function nodeId(prefix: string, value: string) {
  return `${prefix}_${Buffer.from(value).toString('base64url')}`;
}

function gitRef(
  base: string,
  slug: string,
  ref: string,
  sha: string,
  type: string,
) {
  return {
    ref,
    node_id: nodeId('REF', `${slug}:${ref}`),
    url: `${base}/repos/${slug}/git/${ref}`,
    object: {
      type,
      sha,
      url: `${base}/repos/${slug}/git/${
        type === 'tag' ? 'tags' : 'commits'
      }/${sha}`,
    },
  };
}

function fullRepository(base: string, slug: string, defaultBranch: string) {
  const [owner, name] = slug.split('/');
  const api = `${base}/repos/${slug}`;
  const html = `${htmlBase(base)}/${slug}`;
  const user = {
    login: owner,
    id: 1,
    node_id: nodeId('U', owner),
    avatar_url: `${htmlBase(base)}/avatars/${owner}`,
    gravatar_id: '',
    url: `${base}/users/${owner}`,
    html_url: `${htmlBase(base)}/${owner}`,
    followers_url: `${base}/users/${owner}/followers`,
    following_url: `${base}/users/${owner}/following{/other_user}`,
    gists_url: `${base}/users/${owner}/gists{/gist_id}`,
    starred_url: `${base}/users/${owner}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/users/${owner}/subscriptions`,
    organizations_url: `${base}/users/${owner}/orgs`,
    repos_url: `${base}/users/${owner}/repos`,
    events_url: `${base}/users/${owner}/events{/privacy}`,
    received_events_url: `${base}/users/${owner}/received_events`,
    type: 'Organization',
    site_admin: false,
  };
  const urls = Object.fromEntries(
    [
      ['archive', '{archive_format}{/ref}'],
      ['assignees', 'assignees{/user}'],
      ['blobs', 'git/blobs{/sha}'],
      ['branches', 'branches{/branch}'],
      ['collaborators', 'collaborators{/collaborator}'],
      ['comments', 'comments{/number}'],
      ['commits', 'commits{/sha}'],
      ['compare', 'compare/{base}...{head}'],
      ['contents', 'contents/{+path}'],
      ['contributors', 'contributors'],
      ['deployments', 'deployments'],
      ['downloads', 'downloads'],
      ['events', 'events'],
      ['forks', 'forks'],
      ['git_commits', 'git/commits{/sha}'],
      ['git_refs', 'git/refs{/sha}'],
      ['git_tags', 'git/tags{/sha}'],
      ['hooks', 'hooks'],
      ['issue_comment', 'issues/comments{/number}'],
      ['issue_events', 'issues/events{/number}'],
      ['issues', 'issues{/number}'],
      ['keys', 'keys{/key_id}'],
      ['labels', 'labels{/name}'],
      ['languages', 'languages'],
      ['merges', 'merges'],
      ['milestones', 'milestones{/number}'],
      ['notifications', 'notifications{?since,all,participating}'],
      ['pulls', 'pulls{/number}'],
      ['releases', 'releases{/id}'],
      ['stargazers', 'stargazers'],
      ['statuses', 'statuses/{sha}'],
      ['subscribers', 'subscribers'],
      ['subscription', 'subscription'],
      ['tags', 'tags'],
      ['teams', 'teams'],
      ['trees', 'git/trees{/sha}'],
    ].map(([key, path]) => [`${key}_url`, `${api}/${path}`]),
  );
  const epoch = '2026-01-01T00:00:00Z';
  return {
    id: 1,
    node_id: nodeId('R', slug),
    name,
    full_name: slug,
    owner: user,
    private: false,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    ...urls,
    clone_url: `${html}.git`,
    git_url: `${html.replace(/^https?:/, 'git:')}.git`,
    ssh_url: `git@${new URL(html).host}:${slug}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: epoch,
    created_at: epoch,
    updated_at: epoch,
    network_count: 0,
    subscribers_count: 0,
  };
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
  const objectSha = field('object') ?? '';
  const objectType = field('type') ?? 'commit';
  return {
    node_id: nodeId('TAG', sha),
    tag: field('tag') ?? '',
    sha,
    url: `${baseUrl}/repos/${slug}/git/tags/${sha}`,
    message: raw.slice(split + 2).replace(/\n$/, ''),
    tagger: {
      name: tagger?.[1] ?? '',
      email: tagger?.[2] ?? '',
      date: new Date(Number(tagger?.[3] ?? 0) * 1000)
        .toISOString()
        .replace('.000Z', 'Z'),
    },
    object: {
      sha: objectSha,
      type: objectType,
      url: `${baseUrl}/repos/${slug}/git/${
        objectType === 'tag' ? 'tags' : 'commits'
      }/${objectSha}`,
    },
    verification: {
      verified: false,
      reason: 'unsigned',
      signature: null,
      payload: null,
      verified_at: null,
    },
  };
}

const RATE_LIMIT_MESSAGES = {
  primary: 'API rate limit exceeded for installation.',
  secondary:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  '429': 'Too many requests.',
};

function rateLimitError(limit: FakeGithubRateLimit): HttpError {
  if (limit.mode === 'primary') {
    return new HttpError(403, RATE_LIMIT_MESSAGES.primary, {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.floor(limit.resetAt.getTime() / 1000)),
    });
  }
  return new HttpError(
    limit.mode === 'secondary' ? 403 : 429,
    RATE_LIMIT_MESSAGES[limit.mode],
    { 'retry-after': String(limit.retryAfterSeconds) },
  );
}

async function isEmpty(repo: string) {
  return (await git(repo, ['for-each-ref', '--count=1'])).trim() === '';
}

/**
 * Starts a fake of the GitHub REST endpoints the client uses, on 127.0.0.1,
 * serving real bare repositories (`owner/repo` to path). It answers as
 * GitHub's OpenAPI description and documentation say (its conformance test
 * validates every answer against the description): `git/matching-refs`
 * returns every matching ref in one response whatever `per_page` says,
 * `git/ref/<ref>` matches exactly, an empty repository answers 409, a compare
 * without paging parameters lists at most the 250 newest commits, and rate
 * limits answer 403 or 429 as {@link FakeGithubRateLimit} says.
 */
export async function startFakeGithubServer(options: {
  repositories: Record<string, string>;
  token?: string;
}): Promise<FakeGithubServer> {
  const requests: FakeGithubRequest[] = [];
  let publicBase = '';
  let rateLimit: FakeGithubRateLimit | undefined;
  let budget: { remaining: number; reset: number } | undefined;

  interface Routed {
    status: number;
    body: unknown;
    link?: string;
  }
  const lifecycle = createFakeGithubLifecycle();
  const gitops = createFakeGithubGitops();

  const graphql = createFakeGithubGraphql(options);

  function checkAccess(req: IncomingMessage) {
    if (rateLimit?.mode === 'primary' && (rateLimit.remaining ?? 0) > 0) {
      rateLimit.remaining! -= 1;
      budget = {
        remaining: rateLimit.remaining!,
        reset: Math.floor(rateLimit.resetAt.getTime() / 1000),
      };
    } else if (rateLimit) {
      throw rateLimitError(rateLimit);
    } else {
      budget = undefined;
    }
    if (
      options.token &&
      req.headers.authorization !== `token ${options.token}`
    ) {
      throw new HttpError(401, 'Bad credentials');
    }
  }

  async function route(
    req: IncomingMessage,
    url: URL,
    setOperation: (operation: string) => void,
  ): Promise<Routed> {
    if (req.method === 'POST' && url.pathname === '/api/graphql') {
      setOperation('POST /graphql');
      checkAccess(req);
      return graphql.answer(await readBody(req));
    }
    if (!url.pathname.startsWith(`${API_PREFIX}/repos/`)) {
      throw new HttpError(404, 'Not Found');
    }
    const rest = url.pathname.slice(`${API_PREFIX}/repos/`.length).split('/');
    const slug = `${rest[0]}/${rest[1]}`;
    const path = rest.slice(2);
    const method = req.method ?? 'GET';
    const tail = (from: number) =>
      decodeURIComponent(path.slice(from).join('/'));
    const base = `${publicBase}${API_PREFIX}`;
    const op = (template: string) =>
      setOperation(`${method} /repos/{owner}/{repo}${template}`);

    if (method === 'GET' && path.length === 0) {
      op('');
    } else if (
      method === 'GET' &&
      path[0] === 'git' &&
      path[1] === 'matching-refs'
    ) {
      op('/git/matching-refs/{ref}');
    } else if (method === 'GET' && path[0] === 'git' && path[1] === 'ref') {
      op('/git/ref/{ref}');
    } else if (
      method === 'GET' &&
      path[0] === 'git' &&
      path[1] === 'tags' &&
      path.length === 3
    ) {
      op('/git/tags/{tag_sha}');
    } else if (method === 'GET' && path[0] === 'commits' && path.length >= 2) {
      op('/commits/{ref}');
    } else if (method === 'GET' && path[0] === 'compare') {
      op('/compare/{basehead}');
    } else if (
      method === 'GET' &&
      path[0] === 'branches' &&
      path.length === 1
    ) {
      op('/branches');
    } else if (method === 'POST' && path[0] === 'git' && path[1] === 'refs') {
      op('/git/refs');
    } else if (method === 'POST' && path[0] === 'git' && path[1] === 'tags') {
      op('/git/tags');
    } else if (gitops.operation(method, path)) {
      setOperation(gitops.operation(method, path)!);
    } else if (lifecycle.operation(method, path)) {
      op(lifecycle.operation(method, path)!);
    } else {
      throw new HttpError(404, 'Not Found');
    }

    checkAccess(req);
    const repo = options.repositories[slug];
    if (!repo) {
      throw new HttpError(404, 'Not Found');
    }
    const empty = async () => {
      if (await isEmpty(repo)) {
        throw new HttpError(409, 'Git Repository is empty.');
      }
    };

    if (method === 'GET' && path.length === 0) {
      const head = await git(repo, ['symbolic-ref', '--short', 'HEAD']);
      return { status: 200, body: fullRepository(base, slug, head.trim()) };
    }
    if (method === 'GET' && path[0] === 'git' && path[1] === 'matching-refs') {
      await empty();
      // Every match in one response: GitHub does not page this list.
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
          return gitRef(base, slug, ref, sha, type);
        });
      return { status: 200, body: refs };
    }
    if (method === 'GET' && path[0] === 'git' && path[1] === 'ref') {
      await empty();
      const ref = `refs/${tail(2)}`;
      const out = await git(repo, [
        'for-each-ref',
        '--format=%(refname) %(objectname) %(objecttype)',
        ref,
      ]);
      // for-each-ref also matches below a slash; GitHub only the exact name.
      const line = out.split('\n').find(l => l.split(' ')[0] === ref);
      if (!line) {
        throw new HttpError(404, 'Not Found');
      }
      const [, sha, type] = line.split(' ');
      return { status: 200, body: gitRef(base, slug, ref, sha, type) };
    }
    if (method === 'GET' && path[0] === 'git' && path[1] === 'tags') {
      return { status: 200, body: await tagObject(repo, path[2], base, slug) };
    }
    if (method === 'GET' && path[0] === 'commits') {
      await empty();
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
      await empty();
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
      const mergeBase = (
        await git(repo, ['merge-base', baseSha, headSha])
      ).trim();
      const single = async (sha: string) =>
        parseCommits(
          await git(repo, ['log', '-1', `--format=${COMMIT_FORMAT}`, sha]),
          base,
          slug,
        )[0];
      const commits = parseCommits(
        await git(repo, [
          'log',
          '--reverse',
          `--format=${COMMIT_FORMAT}`,
          `${baseSha}..${headSha}`,
        ]),
        base,
        slug,
      );
      const paged =
        url.searchParams.has('per_page') || url.searchParams.has('page');
      // Without paging GitHub lists at most 250 commits, ending with the
      // newest, and says nothing about the rest.
      const page = paged
        ? paginate(commits, url, publicBase)
        : { items: commits.slice(-UNPAGED_COMPARE_LIMIT), link: undefined };
      const html = `${htmlBase(base)}/${slug}`;
      return {
        status: 200,
        body: {
          url: `${base}/repos/${slug}/compare/${baseRef}...${headRef}`,
          html_url: `${html}/compare/${baseRef}...${headRef}`,
          permalink_url: `${html}/compare/${rest[0]}:${baseSha}...${rest[0]}:${headSha}`,
          diff_url: `${html}/compare/${baseRef}...${headRef}.diff`,
          patch_url: `${html}/compare/${baseRef}...${headRef}.patch`,
          base_commit: await single(baseSha),
          merge_base_commit: await single(mergeBase),
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
    if (method === 'GET' && path[0] === 'branches') {
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
      return { status: 201, body: gitRef(base, slug, ref, sha, type) };
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
    const gitopsAnswer = await gitops.route({
      method,
      path,
      slug,
      repo,
      apiBase: base,
      query: url.searchParams,
      body: () => readBody(req),
      fail: (status, message) => new HttpError(status, message),
    });
    if (gitopsAnswer) {
      return gitopsAnswer;
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
    const at = Date.now();
    const url = new URL(req.url ?? '/', publicBase);
    let status = 500;
    let operation: string | undefined;
    let sent: unknown;
    try {
      const result = await route(req, url, o => {
        operation = o;
      });
      const body = result.body === undefined ? '' : JSON.stringify(result.body);
      const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(budget?.remaining ?? 4999),
        ...(budget ? { 'x-ratelimit-reset': String(budget.reset) } : {}),
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
      sent = result.body;
      res.writeHead(status, headers).end(body);
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      sent = {
        message: (error as Error).message,
        documentation_url: DOCS,
        status: String(status),
      };
      res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          ...(error instanceof HttpError ? error.headers : {}),
        })
        .end(JSON.stringify(sent));
    } finally {
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status,
        operation,
        body: sent,
        at,
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
    graphqlQueries: graphql.queries,
    countBy: filter =>
      filter ? requests.filter(filter).length : requests.length,
    setRateLimit: limit => {
      rateLimit = limit && { ...limit };
    },
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolveClose()));
      }),
  };
}
