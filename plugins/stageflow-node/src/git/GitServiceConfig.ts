import type { Config } from '@backstage/config';
import { readStageflowConfig } from '../config/readStageflowConfig';
import type { GitServiceConfig } from '../config/sections/git';

export type { GitHostConfig, GitServiceConfig } from '../config/sections/git';

/**
 * Reads `stageflow.git` (a section of {@link readStageflowConfig}). A host
 * named twice is a config error, so that the credentials in use are never a
 * matter of order.
 *
 * @public
 */
export function readGitServiceConfig(config: Config): GitServiceConfig {
  return readStageflowConfig(config).git;
}
