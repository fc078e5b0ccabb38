import type { GitHostRelease, GitPerson, GitRepository } from '../../git/types';
import { renderReleaseNotes } from '../releaseNotes';

/** @public */
export interface PublishReleaseInput {
  tag: string;
  sha: string;
  /** The release before, whose commits the notes leave out. */
  baseTag?: string;
  prerelease?: boolean;
  /** A line of the caller's above the generated notes. */
  message?: string;
  tagger?: GitPerson;
  dryRun?: boolean;
}

/** @public */
export interface PublishReleaseResult {
  tag: string;
  sha: string;
  notes: string;
  /** The host's release (GitHub), when the host has releases. */
  hostRelease?: GitHostRelease;
}

/**
 * Release notes for `baseTag..sha`, grouped by conventional-commit type.
 *
 * @public
 */
export async function releaseNotesFor(
  repository: GitRepository,
  input: { sha: string; baseTag?: string; message?: string },
): Promise<string> {
  const commits = input.baseTag
    ? (await repository.compare(input.baseTag, input.sha)).commits
    : [];
  const notes = renderReleaseNotes({
    commits,
    locator: repository.locator,
    ...(input.baseTag ? { baseTag: input.baseTag } : {}),
  });
  return input.message?.trim() ? `${input.message.trim()}\n\n${notes}` : notes;
}

/**
 * Tags a release with its notes: an annotated tag whose message is the
 * notes on every host, and a release with the same notes on hosts that
 * have releases (GitHub). A dry run computes the notes only.
 *
 * @public
 */
export async function publishRelease(
  repository: GitRepository,
  input: PublishReleaseInput,
): Promise<PublishReleaseResult> {
  const notes = await releaseNotesFor(repository, input);
  if (input.dryRun) {
    return { tag: input.tag, sha: input.sha, notes };
  }
  const tag = await repository.createTag({
    name: input.tag,
    sha: input.sha,
    message: notes,
    ...(input.tagger ? { tagger: input.tagger } : {}),
  });
  const hostRelease = await repository.createHostRelease({
    tag: input.tag,
    name: input.tag,
    notes,
    prerelease: input.prerelease ?? false,
  });
  return {
    tag: tag.name,
    sha: tag.sha,
    notes,
    ...(hostRelease ? { hostRelease } : {}),
  };
}
