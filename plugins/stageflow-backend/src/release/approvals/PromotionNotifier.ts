import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { StoredPromotionRequest } from './PromotionRequestStore';

/** The notifications' topic: users can mute it in their settings. */
export const PROMOTION_REQUEST_TOPIC = 'stageflow-promotion-requests';

function stageflowTabOf(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/stageflow`;
}

function subjectOf(request: StoredPromotionRequest): string {
  const { name } = parseEntityRef(request.entityRef);
  return `${name} ${request.version} to ${request.stage}${
    request.rollback ? ' (roll back)' : ''
  }`;
}

const outcomes: Record<string, string> = {
  done: 'was approved and ran',
  failed: 'was approved but failed',
  rejected: 'was rejected',
  expired: 'expired without a decision',
};

/**
 * Tells the approvers of a promotion request that it waits for them, and
 * its requester how it ended, through Backstage notifications. A request
 * does not depend on it: a failure to notify is logged, never thrown.
 */
export class PromotionNotifier {
  constructor(
    private readonly notifications: NotificationService,
    private readonly logger: LoggerService,
  ) {}

  async requested(request: StoredPromotionRequest): Promise<void> {
    await this.send(request, {
      recipients: {
        type: 'entity',
        entityRef: request.approverGroups,
        excludeEntityRef: request.requester,
      },
      payload: {
        title: `Promotion of ${subjectOf(request)} waits for your approval`,
        description: `${request.requester} asks to promote ${request.digest}; ${
          request.required
        } approval${request.required === 1 ? '' : 's'} needed by ${
          request.expiresAt
        }.`,
        link: stageflowTabOf(request.entityRef),
        severity: 'high',
        topic: PROMOTION_REQUEST_TOPIC,
        scope: `stageflow-promotion-request:${request.id}`,
      },
    });
  }

  async ended(request: StoredPromotionRequest, by?: string): Promise<void> {
    const outcome = outcomes[request.state];
    if (!outcome) {
      return;
    }
    await this.send(request, {
      recipients: {
        type: 'entity',
        entityRef: request.requester,
        ...(by ? { excludeEntityRef: by } : {}),
      },
      payload: {
        title: `Your promotion of ${subjectOf(request)} ${outcome}`,
        ...(request.message ? { description: request.message } : {}),
        link: stageflowTabOf(request.entityRef),
        severity: request.state === 'done' ? 'normal' : 'high',
        topic: PROMOTION_REQUEST_TOPIC,
        scope: `stageflow-promotion-request:${request.id}:${request.state}`,
      },
    });
  }

  private async send(
    request: StoredPromotionRequest,
    options: NotificationSendOptions,
  ): Promise<void> {
    try {
      await this.notifications.send(options);
    } catch (error) {
      this.logger.warn('Could not notify about a promotion request', {
        requestId: request.id,
        error: (error as Error)?.message ?? String(error),
      });
    }
  }
}
