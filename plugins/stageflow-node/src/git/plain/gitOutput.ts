import type { GitCommit, GitTag } from '../types';

const FIELD = '%x1f';
const RECORD = '%x1e';

/** `git log --format` of one commit: sha, author, dates and message. */
export const COMMIT_FORMAT = `${['%H', '%an', '%ae', '%aI', '%cI', '%B'].join(
  FIELD,
)}${RECORD}`;

// for-each-ref spells hex escapes without the `x` that log uses.
/** `git for-each-ref --format` of a tag, annotated or not. */
export const TAG_FORMAT = `${[
  '%(refname:strip=2)',
  '%(objecttype)',
  '%(objectname)',
  '%(*objectname)',
  '%(taggerdate:iso-strict)',
  '%(committerdate:iso-strict)',
  '%(contents)',
].join('%1f')}%1e`;

/** What `git ls-remote --symref` advertises: branch and tag refs, HEAD. */
export interface RemoteRefs {
  head?: string;
  refs: Map<string, string>;
}

/** Splits output of the formats above into records of fields. */
export function records(out: string): string[][] {
  return out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(record => record.length > 0)
    .map(record => record.split('\x1f'));
}

/** One record of {@link COMMIT_FORMAT}. */
export function toCommit(fields: string[]): GitCommit {
  const [sha, authorName, authorEmail, authorDate, commitDate, message] =
    fields;
  return {
    sha,
    message: message.replace(/\n+$/, ''),
    author: { name: authorName, email: authorEmail, date: authorDate },
    date: commitDate,
  };
}

/** Output of `git log --format=COMMIT_FORMAT`. */
export function parseCommits(out: string): GitCommit[] {
  return records(out).map(toCommit);
}

/** Output of `git for-each-ref --format=TAG_FORMAT refs/tags`. */
export function parseTags(out: string): GitTag[] {
  return records(out).map(fields => {
    const [name, type, objectSha, peeledSha, taggerDate, commitDate, contents] =
      fields;
    if (type === 'tag') {
      return {
        name,
        sha: peeledSha,
        annotated: true,
        ...(taggerDate ? { date: taggerDate } : {}),
        message: contents.replace(/\n+$/, ''),
      };
    }
    return {
      name,
      sha: objectSha,
      annotated: false,
      ...(commitDate ? { date: commitDate } : {}),
    };
  });
}

/** Output of `git ls-remote --symref <url>`; peeled `^{}` lines dropped. */
export function parseLsRemote(out: string): RemoteRefs {
  const state: RemoteRefs = { refs: new Map() };
  for (const line of out.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (symref) {
      state.head = symref[1];
      continue;
    }
    const [sha, ref] = line.split('\t');
    if (
      ref &&
      (ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/')) &&
      !ref.endsWith('^{}')
    ) {
      state.refs.set(ref, sha);
    }
  }
  return state;
}

/** Output of `git for-each-ref --format='%(objectname) %(refname)'`. */
export function parseRefList(out: string): Map<string, string> {
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [sha, ref] = line.split(' ');
        return [ref, sha] as const;
      }),
  );
}

/** Output of `git diff --name-only -z`: the paths, in git's order. */
export function parseNameList(out: string): string[] {
  return out.split('\0').filter(Boolean);
}
