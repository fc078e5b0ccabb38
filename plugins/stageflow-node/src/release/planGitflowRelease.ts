import { ConflictError, InputError } from '@backstage/errors';
import {
  FlowDefinition,
  Release,
  formatReleaseTag,
  nextVersion,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import semver from 'semver';
import { GitConflictError, GitRepository } from '../git';
import { assertRefNameLength } from './assertRefNameLength';
import { CutGitflowReleaseResult, cutGitflowRelease } from './lifecycle';
import { assertExactVersion } from './nextReleaseTag';

/** A GitFlow release before its merge: checked, nothing written yet. */
export interface GitflowReleasePlan {
  /** The dry run of the merge: what the release contains, its bump. */
  cut: CutGitflowReleaseResult;
  version: string;
  tag: string;
  reason: string;
}

/**
 * Plans cutting a GitFlow release: checks the merge of the integration
 * branch into the release branch (a conflict is a GitConflictError naming
 * the files) and the version the merge will be tagged with, before
 * anything is pushed, so that a refused version never leaves a merge
 * behind. Undefined when the release branch contains the integration
 * branch already (the release branch's head is tagged as it is).
 */
export async function planGitflowRelease(options: {
  repository: GitRepository;
  flow: FlowDefinition;
  releases: Release[];
  version?: string;
  bump?: 'major' | 'minor' | 'patch' | 'auto';
}): Promise<GitflowReleasePlan | undefined> {
  const { repository, flow, releases, version, bump } = options;
  if (version !== undefined && bump !== undefined) {
    throw new InputError('Invalid input: give version or bump, not both');
  }
  if (version !== undefined) {
    assertExactVersion(version, 'version');
  }
  const cut = await cutGitflowRelease(repository, flow, {
    dryRun: true,
    releases,
  });
  if (cut.conflicts?.length) {
    throw new GitConflictError(
      `Merging ${cut.from} into ${cut.into} conflicts in ${cut.conflicts.join(
        ', ',
      )}; nothing was pushed`,
      { files: cut.conflicts },
    );
  }
  if (cut.outcome === 'up-to-date') {
    return undefined;
  }
  const latest = releases.find(r => !r.prerelease);
  let newVersion: string;
  let reason: string;
  if (version !== undefined) {
    newVersion = version;
    reason = `version ${version} given`;
  } else if (bump === undefined || bump === 'auto') {
    if (!cut.nextVersion) {
      throw new InputError(
        `Invalid input: no feat, fix, perf or breaking commit since ${
          cut.baseTag ?? 'the start'
        } on ${cut.from} or ${
          cut.into
        }, so bump auto finds nothing to release; give version or bump`,
      );
    }
    newVersion = cut.nextVersion;
    reason = `conventional commits since ${
      cut.baseTag ?? 'the start'
    } imply a ${cut.bump} bump`;
  } else {
    newVersion = nextVersion(latest?.version, bump);
    reason = `${bump} bump of ${latest?.tag ?? 'nothing released yet'}`;
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
    throw new ConflictError(
      `Version ${newVersion} is not greater than the latest release ${latest.version}`,
    );
  }
  const tag = formatReleaseTag(newVersion, flow.tagPattern);
  const valid = validateRefName(tag);
  if (!valid.ok) {
    throw new InputError(
      `Invalid input: the tag '${tag}' is not a valid git ref: ${valid.message}`,
    );
  }
  assertRefNameLength(tag, 'version');
  return { cut, version: newVersion, tag, reason };
}
