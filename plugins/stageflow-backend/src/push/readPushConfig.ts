import { Config } from '@backstage/config';
import {
  StageflowConfig,
  readStageflowConfig,
} from '@stageflow/plugin-stageflow-node';

/** Polling when upstreams announce their changes: a fallback, so rarer. */
export const PUSHED_SNAPSHOT_FREQUENCY_MINUTES = 30;

/** How upstreams tell Stageflow of their changes. */
export interface PushConfig {
  /** The shared secret of registry notifications; no route without one. */
  registrySecret?: string;
  /** Whether GitHub webhooks reach the events backend (a webhook secret is set). */
  githubWebhooks: boolean;
  /** The snapshot interval: as configured, else longer where changes are pushed. */
  snapshotFrequencyMinutes: number;
}

/**
 * The `stageflow` block's part comes from {@link readStageflowConfig} (pass
 * what it read, to read it once); the webhook secrets are other plugins'
 * config (`integrations.github`, the events backend), read here as they are.
 */
export function readPushConfig(
  config: Config,
  settings: StageflowConfig = readStageflowConfig(config),
): PushConfig {
  const { registrySecret } = settings.notifications;
  const appSecrets = (
    config.getOptionalConfigArray('integrations.github') ?? []
  ).flatMap(integration =>
    (integration.getOptionalConfigArray('apps') ?? []).filter(app =>
      Boolean(app.getOptionalString('webhookSecret')),
    ),
  );
  const githubWebhooks =
    Boolean(config.getOptionalString('events.modules.github.webhookSecret')) ||
    appSecrets.length > 0;
  return {
    ...(registrySecret ? { registrySecret } : {}),
    githubWebhooks,
    snapshotFrequencyMinutes:
      !settings.snapshotFrequencyConfigured &&
      (githubWebhooks || registrySecret)
        ? PUSHED_SNAPSHOT_FREQUENCY_MINUTES
        : settings.snapshotFrequencyMinutes,
  };
}
