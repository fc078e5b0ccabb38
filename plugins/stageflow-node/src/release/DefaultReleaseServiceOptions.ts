import {
  AuditorService,
  AuthService,
  CacheService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { StageInfo, StageflowChange } from '@stageflow/plugin-stageflow-common';
import { StageflowConfig } from '../config';
import { GitService } from '../git';
import { RegistryService } from '../registry';
import { PromotionApprovals } from './approvals/types';

/**
 * Where the release service records what it changed: the new state of a
 * component's stages and, for each stage whose digest moved, a history row
 * naming who did it.
 *
 * @public
 */
export interface ReleaseHistory {
  record(change: {
    entityRef: string;
    flow: string;
    stages: StageInfo[];
    observedAt: Date;
    /** The user (or service) entity ref that acted. */
    actor?: string;
    taskId?: string;
    /** Who approved the change (a protected stage). */
    approvers?: string[];
    /** Commit dates by sha, for lead times. */
    revisionDates?: Record<string, string | undefined>;
    /**
     * What a stage ran before the write, for the history row when no
     * earlier state was recorded.
     */
    previous?: Record<string, { digest?: string; version?: string }>;
  }): Promise<void>;
}

/**
 * A lock shared by every replica of the backend: `fn` runs while no other
 * holder of `key` runs. Refuses with a ConflictError when it cannot be had
 * in time.
 *
 * @public
 */
export interface PromotionLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * Tells other plugins and open pages that something changed.
 *
 * @public
 */
export interface ReleaseAnnouncer {
  announce(change: StageflowChange): Promise<void>;
}

/**
 * The collaborators of {@link DefaultReleaseService}.
 *
 * @public
 */
export interface DefaultReleaseServiceOptions {
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  auth: AuthService;
  cache: CacheService;
  git: GitService;
  registry: RegistryService;
  logger: LoggerService;
  config: Pick<
    StageflowConfig,
    'flows' | 'defaultFlow' | 'cacheTtlSeconds' | 'claims'
  >;
  history: ReleaseHistory;
  lock: PromotionLock;
  announcer: ReleaseAnnouncer;
  /**
   * The approvals of protected stages; without them a stage with an
   * `approval` rule refuses every promotion.
   */
  approvals?: PromotionApprovals;
}
