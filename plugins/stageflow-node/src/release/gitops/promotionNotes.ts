import { GitCommit } from '../../git/types';
import { parseConventionalCommit } from '../../git/conventionalCommits';

const TYPE_TITLES: Record<string, string> = {
  feat: 'Features',
  fix: 'Fixes',
  perf: 'Performance',
  refactor: 'Refactoring',
  docs: 'Documentation',
};

/**
 * The body of a promotion's pull request: what moves (versions, digests,
 * the pinned file) and the commits it brings, grouped by conventional-commit
 * type; merges are left out, their commits are listed.
 */
export function promotionNotes(options: {
  component: string;
  stage: string;
  from?: { version?: string; digest?: string };
  to: { version: string; tag: string; digest: string; image: string };
  file: string;
  commits: GitCommit[];
  diff: string;
}): string {
  const { from, to } = options;
  const lines = [
    `Promotes **${options.component}** to **${options.stage}**: ${
      from?.version ?? '(nothing)'
    } → **${to.version}** (${to.tag}).`,
    '',
    '| | Version | Digest |',
    '|---|---|---|',
    `| Now | ${from?.version ?? '–'} | \`${from?.digest ?? '–'}\` |`,
    `| After merge | ${to.version} | \`${to.digest}\` |`,
    '',
    `Image: \`${to.image}\`, pinned in \`${options.file}\`.`,
  ];
  const groups = new Map<string, string[]>();
  for (const commit of options.commits) {
    const subject = commit.message.split('\n')[0];
    const { type } = parseConventionalCommit(commit.message);
    if (
      /^Merge /.test(subject) ||
      (type === 'chore' && /merge /.test(subject))
    ) {
      continue;
    }
    const title = (type && TYPE_TITLES[type]) ?? 'Other changes';
    groups.set(title, [
      ...(groups.get(title) ?? []),
      `- ${subject} (${commit.sha.slice(0, 7)})`,
    ]);
  }
  lines.push('', `## What moves (${options.commits.length} commits)`);
  const order = [...Object.values(TYPE_TITLES), 'Other changes'];
  for (const title of order) {
    const entries = groups.get(title);
    if (entries) {
      lines.push('', `### ${title}`, ...entries);
    }
  }
  if (!groups.size) {
    lines.push('', 'No commits: the same code, another image.');
  }
  lines.push('', '## Change', '', '```diff', options.diff, '```');
  return lines.join('\n');
}
