import { githubExample } from './githubOpenApi';
import { branchSha, git, mergedTree } from './fakeGithubGit';

/**
 * Bodies of the fake GitHub's lifecycle endpoints: GitHub's own examples
 * from its OpenAPI description with the real values put in, so that every
 * field a client may read is there, shaped as GitHub shapes it.
 */

/** Where a body points: the repository and the fake's API and web bases. */
export interface ShapeContext {
  slug: string;
  repo: string;
  apiBase: string;
  webBase: string;
}

export interface FakePull {
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

export interface FakeRelease {
  id: number;
  tag: string;
  target: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
}

function mergeableState(open: boolean, mergeable: boolean | null) {
  if (!open) {
    return 'unknown';
  }
  return mergeable ? 'clean' : 'dirty';
}

export function repositoryJson(request: ShapeContext, template: any) {
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

export async function pullJson(request: ShapeContext, pull: FakePull) {
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

export async function simplePullJson(request: ShapeContext, pull: FakePull) {
  const full = await pullJson(request, pull);
  const simple = githubExample('pull-request-simple-items')[0];
  return Object.fromEntries(
    Object.entries(full).filter(([key]) => key in simple),
  );
}

export async function commitJson(request: ShapeContext, sha: string) {
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

export function releaseJson(request: ShapeContext, release: FakeRelease) {
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
