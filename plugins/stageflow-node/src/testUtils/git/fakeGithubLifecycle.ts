import {
  branchSha,
  commitish,
  git,
  isAncestor,
  merge,
  tryGit,
} from './fakeGithubGit';
import {
  commitJson,
  FakePull,
  FakeRelease,
  pullJson,
  releaseJson,
  simplePullJson,
} from './fakeGithubShapes';

/**
 * The branch lifecycle endpoints of the fake GitHub (pull requests,
 * merges, releases, ref deletion), over the same real bare repositories.
 * Pull requests and releases are not git objects, so they live in memory
 * per server. Bodies: `fakeGithubShapes.ts`.
 */

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

  /** The OpenAPI path of a lifecycle endpoint, or undefined. */
  function operation(method: string, path: string[]): string | undefined {
    const [first, second, third] = path;
    const readOrCreate = method === 'GET' || method === 'POST';
    if (first === 'pulls' && path.length === 1 && readOrCreate) {
      return '/pulls';
    }
    if (first === 'pulls' && path.length === 2 && method === 'GET') {
      return '/pulls/{pull_number}';
    }
    if (first === 'pulls' && third === 'merge' && method === 'PUT') {
      return '/pulls/{pull_number}/merge';
    }
    if (first === 'merges' && path.length === 1 && method === 'POST') {
      return '/merges';
    }
    if (first === 'releases' && path.length === 1 && readOrCreate) {
      return '/releases';
    }
    if (first === 'git' && second === 'refs' && method === 'DELETE') {
      return '/git/refs/{ref}';
    }
    return undefined;
  }

  return { route, operation };
}
