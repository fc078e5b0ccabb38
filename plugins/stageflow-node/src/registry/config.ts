import type { Config } from '@backstage/config';
import { readStageflowConfig } from '../config/readStageflowConfig';
import type { RegistryHostConfig } from '../config/sections/registries';

export {
  normaliseHost,
  type RegistryHostConfig,
} from '../config/sections/registries';

/**
 * Reads `stageflow.registries` (a section of {@link readStageflowConfig}),
 * failing at start-up on a bad entry rather than on the first promotion.
 *
 * @public
 */
export function readRegistryConfigs(config: Config): RegistryHostConfig[] {
  return readStageflowConfig(config).registries;
}
