import { inc, valid } from 'semver';

/**
 * How far a set of changes moves a version.
 *
 * @public
 */
export type VersionBump = 'major' | 'minor' | 'patch' | 'none';

/**
 * What the version bump needs from one parsed conventional commit.
 *
 * @public
 */
export interface ConventionalCommitSummary {
  /** `feat`, `fix`, ...; undefined when the message is not conventional. */
  type?: string;
  /** `!` after the type, or a `BREAKING CHANGE` footer. */
  breaking: boolean;
}

const BUMP_ORDER: VersionBump[] = ['none', 'patch', 'minor', 'major'];

/**
 * The bump one commit implies: breaking is major, `feat` minor, `fix` and
 * `perf` patch, anything else none.
 *
 * @public
 */
export function bumpForCommit(commit: ConventionalCommitSummary): VersionBump {
  if (commit.breaking) {
    return 'major';
  }
  switch (commit.type?.toLowerCase()) {
    case 'feat':
      return 'minor';
    case 'fix':
    case 'perf':
      return 'patch';
    default:
      return 'none';
  }
}

/**
 * The largest bump of a set of commits.
 *
 * @public
 */
export function computeBump(
  commits: Iterable<ConventionalCommitSummary>,
): VersionBump {
  let bump: VersionBump = 'none';
  for (const commit of commits) {
    const next = bumpForCommit(commit);
    if (BUMP_ORDER.indexOf(next) > BUMP_ORDER.indexOf(bump)) {
      bump = next;
      if (bump === 'major') {
        break;
      }
    }
  }
  return bump;
}

/**
 * The version after a bump, per SemVer (`1.2.3` + minor = `1.3.0`; a
 * prerelease such as `2.0.0-rc.1` + major = `2.0.0`). Without a current
 * version the first release is the bump applied to `0.0.0`.
 *
 * @public
 */
export function nextVersion(
  current: string | undefined,
  bump: VersionBump,
): string {
  const base = current ?? '0.0.0';
  if (!valid(base)) {
    throw new TypeError(`'${base}' is not a SemVer version`);
  }
  if (bump === 'none') {
    return valid(base)!;
  }
  return inc(base, bump)!;
}
