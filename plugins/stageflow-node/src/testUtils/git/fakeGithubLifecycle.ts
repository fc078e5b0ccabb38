import { runGit } from '../../git/runGit';
import { githubExample } from './githubOpenApi';

/**
 * The branch lifecycle endpoints of the fake GitHub (pull requests,
 * merges, releases, ref deletion), over the same real bare repositories.
 * Pull requests and releases are not git objects, so they live in memory
 * per server. Bodies are GitHub's own examples from its OpenAPI
 * description with the real values put in, so that every field a client
 * may read is there, shaped as GitHub shapes it.
 */

/** What the fake server hands a lifecycle route. */
export interface LifecycleRouteRequest {
  method: string;
  /** The path below `/repos/{owner}/{repo}/`, split at `/`. */
  path: string[];
  slug: string;
  /** The bare repository's directory. */
  repo: string;
  /** `http://127.0.0.1:<port>/api/v3` */
  apiBase: string;
  /** `http://127.0.0.1:<port>`: the "web UI" of the fake host. */
  webBase: string;
  query: URLSearchParams;
  body(): Promise<any>;
}

/** A response; undefined when the route is not a lifecycle endpoint. */
export type LifecycleRouteResult =
  | { status: number; body: unknown }
  | undefined;

interface FakePull {
  number: number;
  id: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  mergeCommitSha: string | null;
  mergedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface FakeRelease {
  id: number;
  tag: string;
  target: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
}

const MERGER_ENV = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

async function git(repo: string, args: string[], env?: Record<string, string>) {
  return (await runGit(args, { cwd: repo, env })).stdout.trim();
}

async function tryGit(repo: string, args: string[]) {
  try {
    return await git(repo, args);
  } catch {
    return undefined;
  }
}

function branchSha(repo: string, branch: string) {
  return tryGit(repo, [
    'rev-parse',
    '--verify',
    '--quiet',
    `refs/heads/${branch}^{commit}`,
  ]);
}

async function commitish(repo: string, ref: string) {
  return (
    (await branchSha(repo, ref)) ??
    (await tryGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      `${ref}^{commit}`,
    ]))
  );
}

async function isAncestor(repo: string, ancestor: string, of: string) {
  return (
    (await tryGit(repo, ['merge-base', '--is-ancestor', ancestor, of])) !==
    undefined
  );
}

/** The merged tree of two commits, or undefined when they conflict. */
async function mergedTree(repo: string, base: string, head: string) {
  const out = await tryGit(repo, [
    'merge-tree',
    '--write-tree',
    '--no-messages',
    base,
    head,
  ]);
  return out?.split('\n')[0];
}

/** Makes the merge commit of `head` into branch `base` and moves the branch. */
async function merge(
  repo: string,
  base: string,
  baseSha: string,
  headSha: string,
  message: string,
) {
  const tree = await mergedTree(repo, baseSha, headSha);
  if (!tree) {
    return undefined;
  }
  const sha = await git(
    repo,
    ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', message],
    MERGER_ENV,
  );
  await git(repo, ['update-ref', `refs/heads/${base}`, sha, baseSha]);
  return sha;
}

function mergeableState(open: boolean, mergeable: boolean | null) {
  if (!open) {
    return 'unknown';
  }
  return mergeable ? 'clean' : 'dirty';
}

function validationFailed(
  resource: string,
  field: string,
  code: string,
  message?: string,
) {
  return {
    status: 422,
    body: {
      message: message ?? 'Validation Failed',
      errors: [{ resource, field, code }],
      documentation_url: 'https://docs.github.com/rest',
    },
  };
}

function notFound() {
  return {
    status: 404,
    body: {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    },
  };
}

/** The lifecycle routes of one fake server, with its pull requests and releases. */
export function createFakeGithubLifecycle() {
  const pulls = new Map<string, FakePull[]>();
  const releases = new Map<string, FakeRelease[]>();
  let nextId = 1000;
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  function repositoryJson(request: LifecycleRouteRequest, template: any) {
    const [owner, name] = request.slug.split('/');
    return {
      ...template,
      name,
      full_name: request.slug,
      owner: { ...template.owner, login: owner },
      html_url: `${request.webBase}/${request.slug}`,
      url: `${request.apiBase}/repos/${request.slug}`,
    };
  }

  async function pullJson(request: LifecycleRouteRequest, pull: FakePull) {
    const template = githubExample('pull-request');
    const api = `${request.apiBase}/repos/${request.slug}`;
    const html = `${request.webBase}/${request.slug}/pull/${pull.number}`;
    const owner = request.slug.split('/')[0];
    const headSha =
      (await branchSha(request.repo, pull.head)) ?? pull.mergeCommitSha ?? '';
    const baseSha = (await branchSha(request.repo, pull.base)) ?? '';
    const open = pull.state === 'open';
    const tree =
      open && headSha && baseSha
        ? await mergedTree(request.repo, baseSha, headSha)
        : undefined;
    const mergeable = open ? tree !== undefined : null;
    const side = (ref: string, sha: string, base: any) => ({
      ...base,
      label: `${owner}:${ref}`,
      ref,
      sha,
      repo: repositoryJson(request, base.repo),
    });
    const commits =
      headSha && baseSha && open
        ? Number(
            await git(request.repo, [
              'rev-list',
              '--count',
              `${baseSha}..${headSha}`,
            ]),
          )
        : 0;
    return {
      ...template,
      url: `${api}/pulls/${pull.number}`,
      id: pull.id,
      node_id: Buffer.from(`PullRequest${pull.id}`).toString('base64'),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      commits_url: `${api}/pulls/${pull.number}/commits`,
      review_comments_url: `${api}/pulls/${pull.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      body: pull.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.mergedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: side(pull.head, headSha, template.head),
      base: side(pull.base, baseSha, template.base),
      _links: {
        ...template._links,
        self: { href: `${api}/pulls/${pull.number}` },
        html: { href: html },
      },
      auto_merge: null,
      draft: false,
      merged: pull.mergedAt !== null,
      mergeable,
      rebaseable: mergeable,
      mergeable_state: mergeableState(open, mergeable),
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  async function simplePullJson(
    request: LifecycleRouteRequest,
    pull: FakePull,
  ) {
    const full = await pullJson(request, pull);
    const simple = githubExample('pull-request-simple-items')[0];
    return Object.fromEntries(
      Object.entries(full).filter(([key]) => key in simple),
    );
  }

  async function commitJson(request: LifecycleRouteRequest, sha: string) {
    const template = githubExample('commit');
    const api = `${request.apiBase}/repos/${request.slug}`;
    const [tree, an, ae, ad, cn, ce, cd, parents, ...message] = (
      await git(request.repo, [
        'show',
        '-s',
        '--format=%T%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%P%n%B',
        sha,
      ])
    ).split('\n');
    const iso = (date: string) =>
      new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      ...template,
      url: `${api}/commits/${sha}`,
      sha,
      node_id: Buffer.from(`Commit${sha}`).toString('base64'),
      html_url: `${request.webBase}/${request.slug}/commit/${sha}`,
      comments_url: `${api}/commits/${sha}/comments`,
      commit: {
        ...template.commit,
        url: `${api}/git/commits/${sha}`,
        author: { name: an, email: ae, date: iso(ad) },
        committer: { name: cn, email: ce, date: iso(cd) },
        message: message.join('\n').replace(/\n+$/, ''),
        tree: { url: `${api}/git/trees/${tree}`, sha: tree },
      },
      parents: parents
        .split(' ')
        .filter(Boolean)
        .map(parent => ({
          url: `${api}/commits/${parent}`,
          html_url: `${request.webBase}/${request.slug}/commit/${parent}`,
          sha: parent,
        })),
      stats: { additions: 0, deletions: 0, total: 0 },
      files: [],
    };
  }

  function releaseJson(request: LifecycleRouteRequest, release: FakeRelease) {
    const template = githubExample('release');
    const api = `${request.apiBase}/repos/${request.slug}`;
    return {
      ...template,
      url: `${api}/releases/${release.id}`,
      html_url: `${request.webBase}/${
        request.slug
      }/releases/tag/${encodeURIComponent(release.tag)}`,
      assets_url: `${api}/releases/${release.id}/assets`,
      upload_url: `${request.webBase}/uploads/repos/${request.slug}/releases/${release.id}/assets{?name,label}`,
      tarball_url: `${api}/tarball/${encodeURIComponent(release.tag)}`,
      zipball_url: `${api}/zipball/${encodeURIComponent(release.tag)}`,
      id: release.id,
      node_id: Buffer.from(`Release${release.id}`).toString('base64'),
      tag_name: release.tag,
      target_commitish: release.target,
      name: release.name,
      body: release.body,
      draft: release.draft,
      prerelease: release.prerelease,
      created_at: release.createdAt,
      published_at: release.draft ? null : release.createdAt,
      assets: [],
    };
  }

  const branchOf = (value: unknown) =>
    String(value ?? '').replace(/^[^:]+:/, '');

  async function route(
    request: LifecycleRouteRequest,
  ): Promise<LifecycleRouteResult> {
    const { method, path, repo, slug } = request;
    const repoPulls = pulls.get(slug) ?? [];
    pulls.set(slug, repoPulls);
    const repoReleases = releases.get(slug) ?? [];
    releases.set(slug, repoReleases);

    if (path[0] === 'pulls' && path.length === 1 && method === 'POST') {
      const body = await request.body();
      const head = branchOf(body.head);
      const base = String(body.base ?? '');
      const headSha = await branchSha(repo, head);
      const baseSha = await branchSha(repo, base);
      if (!headSha) {
        return validationFailed('PullRequest', 'head', 'invalid');
      }
      if (!baseSha) {
        return validationFailed('PullRequest', 'base', 'invalid');
      }
      if (await isAncestor(repo, headSha, baseSha)) {
        return validationFailed(
          'PullRequest',
          'base',
          'custom',
          `No commits between ${base} and ${head}`,
        );
      }
      if (
        repoPulls.some(
          p => p.state === 'open' && p.head === head && p.base === base,
        )
      ) {
        return validationFailed(
          'PullRequest',
          'head',
          'custom',
          `A pull request already exists for ${slug.split('/')[0]}:${head}.`,
        );
      }
      const id = nextId++;
      const pull: FakePull = {
        number: repoPulls.length + 1,
        id,
        title: String(body.title ?? ''),
        body: body.body ?? null,
        head,
        base,
        state: 'open',
        mergeCommitSha: null,
        mergedAt: null,
        createdAt: now(),
        updatedAt: now(),
      };
      repoPulls.push(pull);
      return { status: 201, body: await pullJson(request, pull) };
    }
    if (path[0] === 'pulls' && path.length === 1 && method === 'GET') {
      const state = request.query.get('state') ?? 'open';
      const head = request.query.get('head');
      const base = request.query.get('base');
      const selected = repoPulls.filter(
        p =>
          (state === 'all' || p.state === state) &&
          (!head || p.head === branchOf(head)) &&
          (!base || p.base === base),
      );
      return {
        status: 200,
        body: await Promise.all(
          selected.reverse().map(p => simplePullJson(request, p)),
        ),
      };
    }
    const pull =
      path[0] === 'pulls'
        ? repoPulls.find(p => String(p.number) === path[1])
        : undefined;
    if (path[0] === 'pulls' && path.length === 2 && method === 'GET') {
      return pull
        ? { status: 200, body: await pullJson(request, pull) }
        : notFound();
    }
    if (path[0] === 'pulls' && path[2] === 'merge' && method === 'PUT') {
      if (!pull) {
        return notFound();
      }
      const body = await request.body();
      const headSha = await branchSha(repo, pull.head);
      const baseSha = await branchSha(repo, pull.base);
      if (pull.state !== 'open' || !headSha || !baseSha) {
        return {
          status: 405,
          body: { message: 'Pull Request is not mergeable' },
        };
      }
      if (body.sha && body.sha !== headSha) {
        return {
          status: 409,
          body: {
            message:
              'Head branch was modified. Review and try the merge again.',
          },
        };
      }
      const message = [
        body.commit_title ??
          `Merge pull request #${pull.number} from ${slug.split('/')[0]}/${
            pull.head
          }`,
        body.commit_message,
      ]
        .filter(Boolean)
        .join('\n\n');
      const sha = await merge(repo, pull.base, baseSha, headSha, message);
      if (!sha) {
        return {
          status: 405,
          body: { message: 'Pull Request is not mergeable' },
        };
      }
      Object.assign(pull, {
        state: 'closed',
        mergeCommitSha: sha,
        mergedAt: now(),
        updatedAt: now(),
      });
      return {
        status: 200,
        body: {
          sha,
          merged: true,
          message: 'Pull Request successfully merged',
        },
      };
    }
    if (path[0] === 'merges' && path.length === 1 && method === 'POST') {
      const body = await request.body();
      const base = String(body.base ?? '');
      const baseSha = await branchSha(repo, base);
      if (!baseSha) {
        return { status: 404, body: { message: 'Base does not exist' } };
      }
      const headSha = await commitish(repo, String(body.head ?? ''));
      if (!headSha) {
        return { status: 404, body: { message: 'Head does not exist' } };
      }
      if (await isAncestor(repo, headSha, baseSha)) {
        return { status: 204, body: undefined };
      }
      const sha = await merge(
        repo,
        base,
        baseSha,
        headSha,
        body.commit_message ?? `Merge ${body.head} into ${base}`,
      );
      if (!sha) {
        return { status: 409, body: { message: 'Merge Conflict' } };
      }
      return { status: 201, body: await commitJson(request, sha) };
    }
    if (path[0] === 'releases' && path.length === 1 && method === 'POST') {
      const body = await request.body();
      const tag = String(body.tag_name ?? '');
      if (repoReleases.some(r => r.tag === tag)) {
        return validationFailed('Release', 'tag_name', 'already_exists');
      }
      const tagged = await tryGit(repo, [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/tags/${tag}^{commit}`,
      ]);
      if (!tagged) {
        const target = body.target_commitish
          ? await commitish(repo, String(body.target_commitish))
          : undefined;
        if (
          !target ||
          (await tryGit(repo, ['check-ref-format', `refs/tags/${tag}`])) ===
            undefined
        ) {
          return validationFailed('Release', 'tag_name', 'invalid');
        }
        await git(repo, ['update-ref', `refs/tags/${tag}`, target, '']);
      }
      const release: FakeRelease = {
        id: nextId++,
        tag,
        target: String(
          body.target_commitish ??
            (await git(repo, ['symbolic-ref', '--short', 'HEAD'])),
        ),
        name: body.name ?? null,
        body: body.body ?? null,
        draft: body.draft === true,
        prerelease: body.prerelease === true,
        createdAt: now(),
      };
      repoReleases.push(release);
      return { status: 201, body: releaseJson(request, release) };
    }
    if (path[0] === 'releases' && path.length === 1 && method === 'GET') {
      return {
        status: 200,
        body: [...repoReleases].reverse().map(r => releaseJson(request, r)),
      };
    }
    if (
      path[0] === 'git' &&
      path[1] === 'refs' &&
      path.length > 2 &&
      method === 'DELETE'
    ) {
      const ref = `refs/${path.slice(2).map(decodeURIComponent).join('/')}`;
      const current = await tryGit(repo, [
        'rev-parse',
        '--verify',
        '--quiet',
        ref,
      ]);
      if (!current) {
        return { status: 422, body: { message: 'Reference does not exist' } };
      }
      await git(repo, ['update-ref', '-d', ref, current]);
      return { status: 204, body: undefined };
    }
    return undefined;
  }

  return { route };
}
