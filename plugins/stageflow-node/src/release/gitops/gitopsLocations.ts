import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  GitopsStageSource,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import { GitRepositoryLocator } from '../../git/types';
import {
  assertSafeRepositoryPath,
  isSafeRepositoryPath,
} from '../../git/repositoryPaths';

export { isSafeRepositoryPath };

const URL_PATTERN = /^(https?|ssh|git|file):\/\/[^\s]+$/;
const SCP_PATTERN = /^[\w.-]+@[\w.-]+:[^\s]+$/;
const SLUG_PATTERN = /^([\w.-]+)\/([\w.-]+)\/([\w.-]+)$/;

/** A git URL, or `host/owner/repo` of a GitHub host. */
export function isGitopsRepository(repository: string): boolean {
  return (
    URL_PATTERN.test(repository) ||
    SCP_PATTERN.test(repository) ||
    SLUG_PATTERN.test(repository)
  );
}

/** Where a GitOps source's repository lives, as the git service takes it. */
export function gitopsLocator(source: GitopsStageSource): GitRepositoryLocator {
  const slug = SLUG_PATTERN.exec(source.repository);
  if (slug && !URL_PATTERN.test(source.repository)) {
    return { type: 'github', host: slug[1], owner: slug[2], repo: slug[3] };
  }
  return { type: 'git', url: source.repository };
}

/**
 * The file that pins a stage of a component: the source's path template
 * with `{stage}` and `{component}` (the entity's name) filled, checked to
 * stay inside the repository.
 */
export function gitopsFilePath(
  source: GitopsStageSource,
  options: { stage: string; entityRef: string },
): string {
  const path = renderFlowTemplate(source.path, {
    stage: options.stage,
    component: parseEntityRef(options.entityRef).name,
  });
  try {
    assertSafeRepositoryPath(path);
  } catch (error) {
    throw new InputError(
      `The GitOps path of stage ${options.stage} renders to an unsafe path: ${
        (error as Error).message
      }`,
    );
  }
  return path;
}
