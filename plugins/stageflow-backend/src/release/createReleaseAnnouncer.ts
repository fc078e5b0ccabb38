import { LoggerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  STAGEFLOW_EVENT_TOPIC,
  STAGEFLOW_SIGNAL_CHANNEL,
  StageflowChange,
} from '@stageflow/plugin-stageflow-common';
import { ReleaseAnnouncer } from '@stageflow/plugin-stageflow-node';

/**
 * Announces a change on the events topic (other plugins, other replicas)
 * and broadcasts it on the signals channel (open cards, tabs, overview).
 */
export function createReleaseAnnouncer(options: {
  events: EventsService;
  signals: SignalsService;
  logger: LoggerService;
}): ReleaseAnnouncer {
  return {
    async announce(change: StageflowChange) {
      await options.events.publish({
        topic: STAGEFLOW_EVENT_TOPIC,
        eventPayload: change,
      });
      await options.signals.publish({
        recipients: { type: 'broadcast' },
        channel: STAGEFLOW_SIGNAL_CHANNEL,
        message: { ...change },
      });
      options.logger.info('Stageflow change announced', { ...change });
    },
  };
}
