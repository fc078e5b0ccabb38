import type { StaleMark } from './changes';

/**
 * Status of one stage of a component.
 *
 * - `ok`: the stage runs a release, as the flow says it should.
 * - `drift`: what runs is not a release, or not what the flow says.
 * - `missing`: the stage's image tag does not exist.
 * - `error`: the stage could not be resolved; `message` says why.
 *
 * @public
 */
export type StageStatus = 'ok' | 'drift' | 'missing' | 'error';

/**
 * How far a stage is behind the next stage of its flow.
 *
 * @public
 */
export interface StageBehind {
  stage: string;
  commits: number;
  releases: number;
}

/**
 * What one stage of a component runs.
 *
 * @public
 */
export interface StageInfo {
  name: string;
  image: string;
  digest?: string;
  revision?: string;
  version?: string;
  tag?: string;
  createdAt?: string;
  status: StageStatus;
  message?: string;
  behind?: StageBehind;
  /** GitOps stages: the file and values that pin what the stage runs. */
  pin?: StagePin;
}

/**
 * What a GitOps repository pins for a stage, as read at its branch head.
 *
 * @public
 */
export interface StagePin {
  /** The GitOps repository, as configured. */
  repository: string;
  path: string;
  branch: string;
  /** The branch head the file was read at. */
  commit: string;
  /** The pinned values by role (`tag`, `digest`, `revision`). */
  values: { tag?: string; digest?: string; revision?: string };
}

/**
 * A release: a git tag that matches the flow's tag pattern.
 *
 * @public
 */
export interface Release {
  tag: string;
  version: string;
  sha: string;
  date?: string;
  prerelease: boolean;
  /** Release notes (markdown), from the tag message or the host's release. */
  notes?: string;
}

/**
 * Response of `GET /v1/entities/:kind/:namespace/:name/stages`.
 *
 * @public
 */
export interface StagesResponse {
  entityRef: string;
  flow: string;
  stages: StageInfo[];
  latestRelease?: Release;
  /** Present when (part of) the answer is the last known good state. */
  stale?: StaleMark;
}

/**
 * Response of `GET /v1/entities/:kind/:namespace/:name/releases`.
 *
 * @public
 */
export interface ReleasesResponse {
  releases: Release[];
  /** Present when the releases are the last known good list. */
  stale?: StaleMark;
}

/**
 * Response of `GET /health`.
 *
 * @public
 */
export interface HealthResponse {
  status: 'ok';
}

/**
 * A commit between two points, as the compare view shows it.
 *
 * @public
 */
export interface CompareCommit {
  sha: string;
  /** First line of the message. */
  subject: string;
  /** Conventional-commit type (`feat`, `fix`, ...), `other` when none. */
  type: string;
  breaking: boolean;
  author?: string;
  date?: string;
}

/**
 * Response of `GET .../compare?from=&to=`: the commits reachable from `to`
 * and not from `from`, grouped by conventional-commit type.
 *
 * @public
 */
export interface CompareResponse {
  from: { ref: string; sha: string; version?: string };
  to: { ref: string; sha: string; version?: string };
  aheadBy: number;
  behindBy: number;
  commits: CompareCommit[];
  groups: Record<string, CompareCommit[]>;
  /** The bump the commits imply and the version it leads to. */
  bump: 'major' | 'minor' | 'patch' | 'none';
  nextVersion?: string;
  /** Present when a point (a stage, a release) is from the last known state. */
  stale?: StaleMark;
}

/**
 * A change of what a stage runs, observed by a snapshot.
 *
 * @public
 */
export interface StageTransition {
  stage: string;
  observedAt: string;
  fromDigest?: string;
  toDigest?: string;
  fromVersion?: string;
  toVersion?: string;
  revision?: string;
  status: StageStatus;
  /** Who made the change through Stageflow; absent when seen by a snapshot. */
  actor?: string;
  taskId?: string;
  /** Who approved the promotion, for a protected stage. */
  approvers?: string[];
}

/**
 * DORA figures computed from the observed history of the last stage.
 *
 * @public
 */
export interface DoraMetrics {
  /** The stage the figures are about (the last stage of the flow). */
  stage: string;
  windowDays: number;
  deployments: number;
  deploymentsPerWeek: number;
  /** Median hours from commit to running in the last stage. */
  leadTimeHours?: number;
  /** Share of releases in the window that are hotfixes (patch on a hotfix branch), 0..1. */
  hotfixShare?: number;
}

/**
 * Response of `GET .../history`.
 *
 * @public
 */
export interface HistoryResponse {
  transitions: StageTransition[];
  dora: DoraMetrics;
  /** Set when the database was unreachable and this is the last known history. */
  stale?: StaleMark;
}

/**
 * One component in `GET /v1/overview`.
 *
 * @public
 */
export interface OverviewItem {
  entityRef: string;
  title?: string;
  owner?: string;
  system?: string;
  flow: string;
  stages: StageInfo[];
}

/**
 * Response of `GET /v1/overview`.
 *
 * @public
 */
export interface OverviewResponse {
  items: OverviewItem[];
  /** When the snapshot the overview comes from was taken. */
  generatedAt?: string;
  /** Set when the database was unreachable and these are the last known states. */
  stale?: StaleMark;
}

/**
 * `GET .../unreleased`: the commits on the release branch since the latest
 * release, and the version they imply.
 *
 * @public
 */
export interface UnreleasedResponse {
  branch: string;
  latestRelease?: Release;
  commits: CompareCommit[];
  bump: 'major' | 'minor' | 'patch' | 'none';
  nextVersion?: string;
}

/**
 * `GET .../hotfixes`: the open hotfix branches, and the `fix:` / `perf:`
 * commits of the release branch that the last stage does not run yet.
 *
 * @public
 */
export interface HotfixesResponse {
  open: Array<{ branch: string; sha: string; fromTag?: string }>;
  candidates: CompareCommit[];
}

/**
 * The state of a promotion request to a protected stage.
 *
 * @public
 */
export type PromotionRequestState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'done'
  | 'failed';

/**
 * One approval or rejection of a promotion request.
 *
 * @public
 */
export interface PromotionDecision {
  /** The user entity ref that decided. */
  by: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

/**
 * A promotion request, as `GET .../promotions` lists it.
 *
 * @public
 */
export interface PromotionRequestInfo {
  id: string;
  entityRef: string;
  stage: string;
  version: string;
  digest: string;
  previousVersion?: string;
  previousDigest?: string;
  state: PromotionRequestState;
  requester: string;
  /** How many approvals the stage needs. */
  required: number;
  approvals: PromotionDecision[];
  rollback?: boolean;
  createdAt: string;
  expiresAt: string;
  /** Why a request failed (it was approved but the promotion did not run). */
  message?: string;
}

/**
 * Response of `GET /v1/entities/:kind/:namespace/:name/promotions`.
 *
 * @public
 */
export interface PromotionsResponse {
  promotions: PromotionRequestInfo[];
}
