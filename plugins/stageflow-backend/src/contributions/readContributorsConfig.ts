import { Config } from '@backstage/config';
import {
  ContributorConfig,
  readStageflowConfig,
} from '@stageflow/plugin-stageflow-node';

// The schema lives with the rest of the `stageflow` block's, in the node
// library; re-exported here for the code that took it from this plugin.
export {
  DEFAULT_MAX_ENTITIES,
  contributorConfigSchema,
  type ContributorConfig,
} from '@stageflow/plugin-stageflow-node';

/**
 * Reads `stageflow.contributors`: the contributors that may write, by name.
 * A contributor that is not listed may not write at all. Fails naming the
 * key of a bad value.
 *
 * @public
 */
export function readContributorsConfig(
  config: Config,
): Map<string, ContributorConfig> {
  return readStageflowConfig(config).contributors;
}
