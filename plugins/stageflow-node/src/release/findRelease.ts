import { InputError } from '@backstage/errors';
import { Release } from '@stageflow/plugin-stageflow-common';

/**
 * The release of a version, or the latest one; an InputError naming the
 * field and listing what exists otherwise.
 */
export function findRelease(
  releases: Release[],
  version: string | undefined,
  field: string,
): Release {
  if (releases.length === 0) {
    throw new InputError('Invalid input: the component has no release yet');
  }
  if (version === undefined) {
    return releases.find(r => !r.prerelease) ?? releases[0];
  }
  const wanted = version.replace(/^v/, '');
  const release = releases.find(r => r.version === wanted);
  if (!release) {
    throw new InputError(
      `Invalid input: ${field} ${version} is not a release; releases are ${releases
        .slice(0, 10)
        .map(r => r.version)
        .join(', ')}${releases.length > 10 ? ', ...' : ''}`,
    );
  }
  return release;
}
