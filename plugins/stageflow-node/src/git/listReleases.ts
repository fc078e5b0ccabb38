import { Release, releasesFromTags } from '@stageflow/plugin-stageflow-common';
import type { GitRepository } from './types';

/**
 * The releases of a repository: its tags that match the release tag pattern
 * (`v{version}`, `{version}`), newest SemVer first.
 *
 * @public
 */
export async function listReleases(
  repository: GitRepository,
  pattern: string,
): Promise<Release[]> {
  return releasesFromTags(await repository.listTags(), pattern);
}
