import { Config } from '@backstage/config';
import { FLOW_PRESETS } from '@stageflow/plugin-stageflow-common';

/**
 * The backend plugin's settings, read once at start-up.
 *
 * @internal
 */
export interface StageflowBackendConfig {
  defaultFlow: string;
}

export function readStageflowBackendConfig(
  config: Config,
): StageflowBackendConfig {
  const defaultFlow =
    config.getOptionalString('stageflow.defaultFlow') ?? 'oneflow';
  if (!FLOW_PRESETS[defaultFlow]) {
    throw new Error(
      `Invalid config at stageflow.defaultFlow: unknown flow '${defaultFlow}', expected one of ${Object.keys(
        FLOW_PRESETS,
      ).join(', ')}`,
    );
  }
  return { defaultFlow };
}
