import type { GitCommit, GitRepositoryLocator } from '../git/types';
import { parseConventionalCommit } from '../git/conventionalCommits';

/**
 * The web page of a commit, for hosts that have one: GitHub (and GitHub
 * Enterprise) at `https://<host>/<owner>/<repo>/commit/<sha>`. Plain git
 * remotes have no known web UI, so their notes carry no links.
 *
 * @public
 */
export function commitWebUrl(
  locator: GitRepositoryLocator,
  sha: string,
): string | undefined {
  if (locator.type !== 'github') {
    return undefined;
  }
  const path = [locator.owner, locator.repo, 'commit', sha]
    .map(encodeURIComponent)
    .join('/');
  return new URL(path, `https://${locator.host}/`).toString();
}

const SECTIONS = [
  ['breaking', 'Breaking changes'],
  ['features', 'Features'],
  ['fixes', 'Fixes'],
  ['others', 'Others'],
] as const;

type Section = (typeof SECTIONS)[number][0];

// Commit subjects are written by anyone who can push: escaped, so that a
// subject cannot become a link, an image or HTML in the rendered notes.
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#|!~]/g, match => `\\${match}`);
}

function sectionOf(type: string | undefined, breaking: boolean): Section {
  if (breaking) {
    return 'breaking';
  }
  switch (type?.toLowerCase()) {
    case 'feat':
      return 'features';
    case 'fix':
    case 'perf':
      return 'fixes';
    default:
      return 'others';
  }
}

/** @public */
export interface ReleaseNotesOptions {
  /** The commits of the release, newest first (as `compare` gives them). */
  commits: GitCommit[];
  /** Where the commits live, for links (GitHub hosts only). */
  locator: GitRepositoryLocator;
  /** The release before, named when there are no changes. */
  baseTag?: string;
}

/**
 * Release notes in markdown: the commits grouped by conventional-commit
 * type (breaking changes, features, fixes and performance, others), oldest
 * first in each group, each with a link to the commit where the host has
 * web pages. Merge commits that git named itself are left out.
 *
 * @public
 */
export function renderReleaseNotes(options: ReleaseNotesOptions): string {
  const groups = new Map<Section, string[]>();
  for (const commit of [...options.commits].reverse()) {
    const header = commit.message.split('\n')[0].trim();
    if (/^Merge (branch|pull request|remote-tracking branch) /.test(header)) {
      continue;
    }
    const parsed = parseConventionalCommit(commit.message);
    const section = sectionOf(parsed.type, parsed.breaking);
    const text =
      section === 'others' || !parsed.subject
        ? escapeMarkdown(header)
        : `${
            parsed.scope ? `**${escapeMarkdown(parsed.scope)}:** ` : ''
          }${escapeMarkdown(parsed.subject)}`;
    const short = commit.sha.slice(0, 7);
    const url = commitWebUrl(options.locator, commit.sha);
    const reference = url ? `[${short}](${url})` : short;
    const lines = groups.get(section) ?? [];
    lines.push(`- ${text} (${reference})`);
    groups.set(section, lines);
  }
  if (groups.size === 0) {
    return options.baseTag
      ? `No changes since ${options.baseTag}.`
      : 'No changes.';
  }
  return SECTIONS.filter(([key]) => groups.has(key))
    .map(([key, title]) => `### ${title}\n\n${groups.get(key)!.join('\n')}`)
    .join('\n\n');
}
