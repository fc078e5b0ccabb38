import { Config } from '@backstage/config';

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

export function readPushConfig(
  config: Config,
  configuredFrequencyMinutes: number,
): PushConfig {
  const registrySecret = config.getOptionalString(
    'stageflow.notifications.registry.secret',
  );
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
  const explicit = config.has('stageflow.snapshots.frequencyMinutes');
  return {
    ...(registrySecret ? { registrySecret } : {}),
    githubWebhooks,
    snapshotFrequencyMinutes:
      !explicit && (githubWebhooks || registrySecret)
        ? PUSHED_SNAPSHOT_FREQUENCY_MINUTES
        : configuredFrequencyMinutes,
  };
}
