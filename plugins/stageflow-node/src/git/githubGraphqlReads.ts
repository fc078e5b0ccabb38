import type { GitCommit, GitComparison, GitTag } from './types';
import {
  DEFAULT_BRANCH_SELECTION,
  GithubGraphqlLoader,
  HISTORY_SELECTION,
  OBJECT_SELECTION,
  TAGS_SELECTION,
} from './githubGraphql';

interface CommitNode {
  __typename: string;
  oid: string;
  message?: string;
  committedDate?: string;
  author?: { name?: string; email?: string; date?: string } | null;
}

interface TargetNode {
  __typename: string;
  oid: string;
  committedDate?: string;
  message?: string;
  tagger?: { date?: string } | null;
  target?: TargetNode | null;
}

interface TagsPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ name: string; target: TargetNode | null }>;
}

/** A tag GraphQL could not peel (a tag of a tag of a tag): REST peels it. */
export interface UnpeeledTag {
  name: string;
  objectSha: string;
}

function notFound(what: string): Error {
  return Object.assign(new Error(`${what} not found`), { status: 404 });
}

function toCommit(node: CommitNode): GitCommit {
  const author = node.author;
  return {
    sha: node.oid,
    message: (node.message ?? '').replace(/\n+$/, ''),
    ...(author?.name !== undefined
      ? {
          author: {
            name: author.name,
            email: author.email ?? '',
            ...(author.date ? { date: author.date } : {}),
          },
        }
      : {}),
    ...(node.committedDate ? { date: node.committedDate } : {}),
  };
}

/** Every tag of a repository, page after page, each page in a shared query. */
export async function readTags(
  loader: GithubGraphqlLoader,
  owner: string,
  repo: string,
): Promise<{ tags: GitTag[]; unpeeled: UnpeeledTag[] }> {
  const tags: GitTag[] = [];
  const unpeeled: UnpeeledTag[] = [];
  let after: string | null = null;
  for (;;) {
    const page: TagsPage | null = await loader.load<TagsPage>(
      owner,
      repo,
      TAGS_SELECTION,
      { after },
    );
    for (const node of page?.nodes ?? []) {
      const target = node.target;
      if (!target) {
        continue;
      }
      if (target.__typename === 'Commit') {
        tags.push({
          name: node.name,
          sha: target.oid,
          annotated: false,
          ...(target.committedDate ? { date: target.committedDate } : {}),
        });
        continue;
      }
      if (target.__typename !== 'Tag') {
        continue;
      }
      let peeled = target.target;
      while (peeled?.__typename === 'Tag' && peeled.target) {
        peeled = peeled.target;
      }
      if (!peeled || peeled.__typename === 'Tag') {
        unpeeled.push({ name: node.name, objectSha: target.oid });
        continue;
      }
      if (peeled.__typename !== 'Commit') {
        continue;
      }
      tags.push({
        name: node.name,
        sha: peeled.oid,
        annotated: true,
        ...(target.tagger?.date ? { date: target.tagger.date } : {}),
        ...(target.message !== undefined
          ? { message: target.message.replace(/\n+$/, '') }
          : {}),
      });
    }
    if (!page?.pageInfo.hasNextPage) {
      return { tags, unpeeled };
    }
    after = page.pageInfo.endCursor;
  }
}

/** The commit a branch, tag or sha names. */
export async function readCommit(
  loader: GithubGraphqlLoader,
  owner: string,
  repo: string,
  expression: string,
): Promise<GitCommit> {
  const object = await loader.load<CommitNode & { target?: CommitNode }>(
    owner,
    repo,
    OBJECT_SELECTION,
    { expression },
  );
  const commit = object?.__typename === 'Tag' ? object.target : object;
  if (!commit || commit.__typename !== 'Commit') {
    throw notFound(`Commit ${expression}`);
  }
  return toCommit(commit);
}

interface HistoryObject {
  __typename: string;
  history?: { pageInfo: { hasNextPage: boolean }; nodes: CommitNode[] };
}

/**
 * The comparison of two revisions from their newest hundred commits each,
 * both in one shared query; undefined when that does not settle it (base
 * not among head's newest commits, an ancestor of head's merged branches
 * reaching past the page), where the caller compares through REST.
 */
export async function readComparison(
  loader: GithubGraphqlLoader,
  owner: string,
  repo: string,
  base: string,
  head: string,
  /** Told the commits `base` and `head` name, read on the way. */
  onEnds?: (commits: GitCommit[]) => void,
): Promise<GitComparison | undefined> {
  const [headObject, baseObject] = await Promise.all(
    [head, base].map(expression =>
      loader.load<HistoryObject>(owner, repo, HISTORY_SELECTION, {
        expression,
      }),
    ),
  );
  if (!headObject || !baseObject) {
    throw notFound(`Commit ${!headObject ? head : base}`);
  }
  const headHistory = headObject.history;
  const baseHistory = baseObject.history;
  if (!headHistory || !baseHistory) {
    return undefined;
  }
  onEnds?.(
    [headHistory.nodes[0], baseHistory.nodes[0]]
      .filter(node => node !== undefined)
      .map(toCommit),
  );
  const baseSha = baseHistory.nodes[0]?.oid;
  const position = headHistory.nodes.findIndex(node => node.oid === baseSha);
  if (!baseSha || position < 0) {
    return undefined;
  }
  const onBase = new Set(baseHistory.nodes.map(node => node.oid));
  // A merged side branch's commits can come after base in history order;
  // when one of them could be off base's page, REST decides.
  const settled =
    !baseHistory.pageInfo.hasNextPage ||
    headHistory.nodes.slice(position).every(node => onBase.has(node.oid));
  if (!settled) {
    return undefined;
  }
  const commits = headHistory.nodes
    .filter(node => !onBase.has(node.oid))
    .map(toCommit);
  return { aheadBy: commits.length, behindBy: 0, commits };
}

export async function readDefaultBranch(
  loader: GithubGraphqlLoader,
  owner: string,
  repo: string,
): Promise<string> {
  const ref = await loader.load<{ name: string }>(
    owner,
    repo,
    DEFAULT_BRANCH_SELECTION,
  );
  if (!ref) {
    throw notFound('Default branch');
  }
  return ref.name;
}
