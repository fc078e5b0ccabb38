import { z } from 'zod';
import { configString } from './values';

/** The `stageflow.notifications` config: what upstreams push. @public */
export interface NotificationsConfig {
  /**
   * The shared secret of a distribution registry's notifications
   * (`stageflow.notifications.registry.secret`); no route without one.
   */
  registrySecret?: string;
}

/** `stageflow.notifications`. */
export const notificationsSection = z
  .object({
    registry: z
      .object({ secret: configString.optional() })
      .strict()
      .default({}),
  })
  .strict()
  .default({})
  .transform(
    (notifications): NotificationsConfig =>
      notifications.registry.secret
        ? { registrySecret: notifications.registry.secret }
        : {},
  );
