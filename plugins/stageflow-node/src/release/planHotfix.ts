import { ConflictError, InputError } from '@backstage/errors';
import {
  FlowDefinition,
  Release,
  nextVersion,
  renderFlowTemplate,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import { GitRepository } from '../git';
import { assertRefNameLength } from './assertRefNameLength';
import { findRelease } from './findRelease';

/**
 * The hotfix branch of a release (the latest by default), checked as the
 * real run would check it: a valid ref git can store, not there yet.
 */
export async function planHotfix(options: {
  repository: GitRepository;
  flow: FlowDefinition;
  releases: Release[];
  name: string;
  fromVersion?: string;
}): Promise<{ branch: string; from: Release; nextVersion: string }> {
  const { repository, flow, releases, name } = options;
  const branch = renderFlowTemplate(flow.branches.hotfix, { name });
  const valid = validateRefName(branch);
  if (!valid.ok) {
    throw new InputError(
      `Invalid input: name gives the branch '${branch}', which git refuses: ${valid.message}`,
    );
  }
  assertRefNameLength(branch, 'name');
  const from = findRelease(releases, options.fromVersion, 'fromVersion');
  const existing = (await repository.listBranches()).find(
    b => b.name === branch,
  );
  if (existing) {
    throw new ConflictError(
      `Branch ${branch} already exists (at ${existing.sha.slice(
        0,
        7,
      )}): choose another name, or finish that hotfix first`,
    );
  }
  return { branch, from, nextVersion: nextVersion(from.version, 'patch') };
}
