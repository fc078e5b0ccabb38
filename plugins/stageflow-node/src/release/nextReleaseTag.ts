import { ConflictError, InputError } from '@backstage/errors';
import {
  FlowDefinition,
  Release,
  formatReleaseTag,
  nextVersion,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import semver from 'semver';
import { GitRepository, bumpFromCommitMessages } from '../git';
import { assertRefNameLength } from './assertRefNameLength';
import { baseRelease, releaseLineage } from './releaseLineage';

/** What a release tag will be: computed, checked, not yet written. */
export interface ReleaseTagPlan {
  tag: string;
  version: string;
  sha: string;
  /** The branch the commit is released from (release or hotfix branch). */
  branch: string;
  baseTag?: string;
  /** How the version was found, for the task log. */
  reason: string;
}

// Exactly MAJOR.MINOR.PATCH[-PRERELEASE]: no `v`, no build metadata (git
// tags would drop it silently), no surrounding whitespace.
const EXACT_VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** Refuses a version that is not exactly the one that would be tagged. */
export function assertExactVersion(version: string, field: string): void {
  if (version !== version.trim()) {
    throw new InputError(
      `Invalid input: ${field} must not have surrounding whitespace, got '${version}'`,
    );
  }
  if (version.includes('+')) {
    throw new InputError(
      `Invalid input: ${field} must not carry build metadata (+...), which a release tag cannot keep; got '${version}'`,
    );
  }
  if (!EXACT_VERSION.test(version) || !semver.valid(version)) {
    throw new InputError(
      `Invalid input: ${field} must be a SemVer version such as 1.4.0 (no v prefix), got '${version}'`,
    );
  }
}

/**
 * The next release tag of a commit: the version given, or the latest (for
 * a hotfix: the base) release bumped, `auto` reading the conventional
 * commits since the base release. Never a version that exists or goes
 * backwards, never a second release of an already released commit.
 */
export async function nextReleaseTag(options: {
  repository: GitRepository;
  flow: FlowDefinition;
  releases: Release[];
  ref?: string;
  version?: string;
  bump?: 'major' | 'minor' | 'patch' | 'auto';
}): Promise<ReleaseTagPlan> {
  const { repository, flow, releases, ref, version, bump } = options;
  if (version !== undefined && bump !== undefined) {
    throw new InputError('Invalid input: give version or bump, not both');
  }
  if (version !== undefined) {
    assertExactVersion(version, 'version');
  }
  if (ref !== undefined) {
    const valid = validateRefName(ref);
    if (!valid.ok && !/^[0-9a-f]{4,40}$/.test(ref)) {
      throw new InputError(
        `Invalid input: ref must be a branch, tag or commit sha: ${valid.message}`,
      );
    }
  }
  const commit = await repository.resolveCommit(ref ?? flow.branches.release);
  const released = releases.find(r => r.sha === commit.sha);
  if (released) {
    throw new InputError(
      `Invalid input: commit ${commit.sha.slice(0, 7)}${
        ref ? ` (${ref})` : ''
      } is already released as ${
        released.tag
      }; a commit is released once (commit something new, or promote ${
        released.tag
      })`,
    );
  }
  const latest = releases.find(r => !r.prerelease);
  const place = await releaseLineage(repository, flow, commit.sha, latest);
  const base = await baseRelease(repository, releases, commit.sha);

  let newVersion: string;
  let reason: string;
  if (version !== undefined) {
    newVersion = version;
    reason = `version ${version} given`;
  } else {
    let step = bump ?? 'auto';
    reason = `${step} bump of ${
      (place.hotfix ? base : latest)?.tag ?? 'nothing released yet'
    }`;
    if (step === 'auto') {
      const since = base
        ? (await repository.compare(base.sha, commit.sha)).commits
        : [];
      const implied = bumpFromCommitMessages(since.map(c => c.message));
      if (base && implied === 'none') {
        throw new InputError(
          `Invalid input: no feat, fix, perf or breaking commit since ${base.tag}, so bump auto finds nothing to release; give version or bump`,
        );
      }
      step = implied === 'none' ? 'minor' : implied;
      reason = `conventional commits since ${
        base?.tag ?? 'the start'
      } imply a ${step} bump`;
    }
    newVersion = nextVersion((place.hotfix ? base : latest)?.version, step);
  }

  const existing = releases.find(r => r.version === newVersion);
  if (existing) {
    throw new ConflictError(
      `Release ${newVersion} exists already (tag ${
        existing.tag
      } on ${existing.sha.slice(0, 7)})`,
    );
  }
  if (latest && !semver.gt(newVersion, latest.version)) {
    const hotfixAllowed =
      place.hotfix && base && semver.gt(newVersion, base.version);
    if (!hotfixAllowed) {
      throw new ConflictError(
        `Version ${newVersion} is not greater than the latest release ${
          latest.version
        }${
          place.hotfix && base
            ? ` nor than ${base.version}, the release ${place.branch} is based on`
            : ''
        }`,
      );
    }
  }
  const tag = formatReleaseTag(newVersion, flow.tagPattern);
  const valid = validateRefName(tag);
  if (!valid.ok) {
    throw new InputError(
      `Invalid input: the tag '${tag}' is not a valid git ref: ${valid.message}`,
    );
  }
  assertRefNameLength(tag, 'version');
  return {
    tag,
    version: newVersion,
    sha: commit.sha,
    branch: place.branch,
    ...(base ? { baseTag: base.tag } : {}),
    reason,
  };
}
