/**
 * The signals channel on which the backend announces every change it makes
 * or observes, so that open cards, tabs and the overview refetch at once.
 *
 * @public
 */
export const STAGEFLOW_SIGNAL_CHANNEL = 'stageflow:changes';

/**
 * The events service topic with the same announcements, for other plugins
 * (and for the other replicas of the backend).
 *
 * @public
 */
export const STAGEFLOW_EVENT_TOPIC = 'stageflow.changes';

/**
 * One announcement: what changed, on which component.
 *
 * @public
 */
export interface StageflowChange {
  entityRef: string;
  kind: 'release' | 'promotion' | 'hotfix' | 'observed' | 'promotion-request';
  /** For `promotion-request`: the request and its state. */
  requestId?: string;
  state?: string;
  /** For `promotion-request`: who may decide it (user or group refs). */
  approvers?: string[];
  stage?: string;
  version?: string;
  /** The user or service that acted; absent for changes seen by a snapshot. */
  actor?: string;
  taskId?: string;
}

/**
 * Set on an answer served from the last known good state because an
 * upstream could not be read: how old it is and why.
 *
 * @public
 */
export interface StaleMark {
  /** When the served state was read (ISO 8601). */
  asOf: string;
  /** What failed, e.g. "GitHub github.com rate limited". */
  reason: string;
  /** When the upstream is expected back (a rate limit's reset), ISO 8601. */
  until?: string;
}
