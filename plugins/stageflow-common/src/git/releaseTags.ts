import { parse, rcompare, SemVer } from 'semver';
import type { Release } from '../types';

/**
 * Release tag pattern of Oneflow: `v1.2.3`.
 *
 * @public
 */
export const ONEFLOW_RELEASE_TAG_PATTERN = 'v{version}';

/**
 * Release tag pattern of GitFlow for DevOps: `1.2.3`.
 *
 * @public
 */
export const GITFLOW_RELEASE_TAG_PATTERN = '{version}';

const VERSION_PLACEHOLDER = '{version}';

function splitPattern(pattern: string): { prefix: string; suffix: string } {
  const index = pattern.indexOf(VERSION_PLACEHOLDER);
  if (index < 0 || pattern.indexOf(VERSION_PLACEHOLDER, index + 1) >= 0) {
    throw new TypeError(
      `Release tag pattern '${pattern}' must contain '${VERSION_PLACEHOLDER}' exactly once`,
    );
  }
  return {
    prefix: pattern.slice(0, index),
    suffix: pattern.slice(index + VERSION_PLACEHOLDER.length),
  };
}

/**
 * Whether a release tag pattern is usable: it holds `{version}` exactly once.
 *
 * @public
 */
export function isValidReleaseTagPattern(pattern: string): boolean {
  try {
    splitPattern(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the SemVer 2.0 version of a release tag, or `undefined` when the tag
 * does not follow the pattern (such tags are simply not releases).
 *
 * @public
 */
export function parseReleaseTag(
  tag: string,
  pattern: string,
): SemVer | undefined {
  const { prefix, suffix } = splitPattern(pattern);
  if (
    tag.length < prefix.length + suffix.length ||
    !tag.startsWith(prefix) ||
    !tag.endsWith(suffix)
  ) {
    return undefined;
  }
  const candidate = tag.slice(prefix.length, tag.length - suffix.length);
  const version = parse(candidate);
  if (!version) {
    return undefined;
  }
  // semver accepts a leading `v`, `=` and surrounding blanks even when not
  // loose; a GitFlow pattern must not take `v1.2.3` for `1.2.3`, so only the
  // canonical spelling counts.
  const canonical = version.build.length
    ? `${version.version}+${version.build.join('.')}`
    : version.version;
  return canonical === candidate ? version : undefined;
}

/**
 * Writes the release tag of a version with a pattern.
 *
 * @public
 */
export function formatReleaseTag(version: string, pattern: string): string {
  const { prefix, suffix } = splitPattern(pattern);
  return `${prefix}${version}${suffix}`;
}

/**
 * Sorts by SemVer precedence, newest first. Versions of equal precedence
 * (they differ by build metadata only) keep a stable order by tag name.
 *
 * @public
 */
export function sortReleases<T extends { version: string; tag?: string }>(
  releases: readonly T[],
): T[] {
  return [...releases].sort((a, b) => {
    const byVersion = rcompare(a.version, b.version);
    if (byVersion !== 0) {
      return byVersion;
    }
    const tagA = a.tag ?? '';
    const tagB = b.tag ?? '';
    if (tagA === tagB) {
      return 0;
    }
    return tagA < tagB ? -1 : 1;
  });
}

/**
 * Turns tags into the releases of a pattern, newest first; tags that do not
 * match the pattern are left out.
 *
 * @public
 */
export function releasesFromTags(
  tags: ReadonlyArray<{
    name: string;
    sha: string;
    date?: string;
    message?: string;
  }>,
  pattern: string,
): Release[] {
  const releases: Release[] = [];
  for (const tag of tags) {
    const version = parseReleaseTag(tag.name, pattern);
    if (version) {
      releases.push({
        tag: tag.name,
        version: version.build.length
          ? `${version.version}+${version.build.join('.')}`
          : version.version,
        sha: tag.sha,
        ...(tag.date ? { date: tag.date } : {}),
        prerelease: version.prerelease.length > 0,
        // An annotated tag's message is its release notes.
        ...(tag.message?.trim() ? { notes: tag.message.trim() } : {}),
      });
    }
  }
  return sortReleases(releases);
}
