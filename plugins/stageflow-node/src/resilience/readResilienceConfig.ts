import type { Config } from '@backstage/config';
import { readStageflowConfig } from '../config/readStageflowConfig';
import type { ResilienceConfig } from '../config/sections/resilience';

export {
  DEFAULT_RESILIENCE,
  type ResilienceConfig,
  type ResilienceOptions,
} from '../config/sections/resilience';

/**
 * Reads `stageflow.resilience` (a section of {@link readStageflowConfig}),
 * failing at start-up with the config path of a bad value.
 *
 * @public
 */
export function readResilienceConfig(config: Config): ResilienceConfig {
  return readStageflowConfig(config).resilience;
}
