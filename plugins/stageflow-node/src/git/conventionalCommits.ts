import { sync as parseCommit } from 'conventional-commits-parser';
import {
  computeBump,
  ConventionalCommitSummary,
  VersionBump,
} from '@stageflow/plugin-stageflow-common';

// The parser's default header pattern has no room for the `!` of breaking
// changes (`feat(api)!: ...`), so the header is matched with it included.
const PARSER_OPTIONS = {
  headerPattern: /^(\w*)(?:\(([\w$.\-*/ ]*)\))?(!?): (.*)$/,
  headerCorrespondence: ['type', 'scope', 'breakingMark', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
};

/**
 * Reads the type and breaking flag of a commit message.
 *
 * @public
 */
export function parseConventionalCommit(
  message: string,
): ConventionalCommitSummary & { scope?: string; subject?: string } {
  const parsed = parseCommit(message, PARSER_OPTIONS);
  const breaking =
    parsed.breakingMark === '!' ||
    parsed.notes.some(note => /^BREAKING[ -]CHANGE$/.test(note.title));
  return {
    ...(parsed.type ? { type: parsed.type } : {}),
    ...(parsed.scope ? { scope: parsed.scope } : {}),
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    breaking,
  };
}

/**
 * The version bump implied by commit messages (conventional commits).
 *
 * @public
 */
export function bumpFromCommitMessages(
  messages: Iterable<string>,
): VersionBump {
  const summaries: ConventionalCommitSummary[] = [];
  for (const message of messages) {
    summaries.push(parseConventionalCommit(message));
  }
  return computeBump(summaries);
}
