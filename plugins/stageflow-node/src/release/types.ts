import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  HotfixesResponse,
  ReleasesResponse,
  StagesResponse,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';

/**
 * What a write acts through: a catalog entity, or a repository / image that
 * exactly one catalog entity claims (the service resolves it to that entity
 * and refuses with a ConflictError naming every claimant otherwise).
 *
 * @public
 */
export type ReleaseTargetSpec =
  | { entityRef: string }
  | { repoUrl: string }
  | { image: string };

/**
 * Who acts, for authorization, audit and history. `taskId` is the
 * scaffolder task that asked, when there is one.
 *
 * @public
 */
export interface ReleaseActor {
  credentials: BackstageCredentials;
  taskId?: string;
  /**
   * Set only by the approvals when an approved request runs: who asked and
   * who approved (history, audit and receipt name them).
   */
  approval?: { requestId: string; requester: string; approvers: string[] };
}

/** @public */
export interface TagReleaseRequest {
  target: ReleaseTargetSpec;
  /** Branch, tag or sha to release (default: the flow's release branch). */
  ref?: string;
  /** Exact version (no `v`, no build metadata, no whitespace). */
  version?: string;
  bump?: 'major' | 'minor' | 'patch' | 'auto';
  /** A line of the caller's above the generated release notes. */
  message?: string;
  /**
   * GitFlow (the integration branch differs from the release branch) and
   * no `ref`: merge the integration branch into the release branch first
   * and tag the merge (default true); false tags the release branch as it is.
   */
  mergeIntegrationBranch?: boolean;
  dryRun?: boolean;
}

/** @public */
export interface TagReleaseResult {
  entityRef: string;
  tag: string;
  version: string;
  sha: string;
  /** The branch the tagged commit is on (release branch or hotfix branch). */
  branch: string;
  /** The release it is based on, when there is one. */
  baseTag?: string;
  /** The release notes written to the tag (and the host's release). */
  notes?: string;
  /** GitFlow: the merge of the integration branch that was tagged. */
  merged?: { from: string; into: string; sha: string };
  /** One line saying what was (or, in a dry run, would be) done. */
  plan: string;
  dryRun: boolean;
}

/** @public */
export interface StartHotfixRequest {
  target: ReleaseTargetSpec;
  name: string;
  fromVersion?: string;
  /** Commits applied onto the new branch, in order (a real cherry-pick). */
  cherryPick?: string[];
  dryRun?: boolean;
}

/** @public */
export interface StartHotfixResult {
  entityRef: string;
  branch: string;
  sha: string;
  fromTag: string;
  nextVersion: string;
  /** The full shas cherry-picked onto the branch, in order. */
  cherryPicked?: string[];
  plan: string;
  dryRun: boolean;
}

/** @public */
export interface FinishHotfixRequest {
  target: ReleaseTargetSpec;
  /** The hotfix branch, e.g. `hotfix/login`. */
  branch: string;
  /** Delete the hotfix branch once it is merged. */
  deleteBranch?: boolean;
  dryRun?: boolean;
}

/** @public */
export interface FinishHotfixResult {
  entityRef: string;
  /** What was merged into what (Oneflow: the hotfix branch into develop). */
  from: string;
  into: string;
  /** `merged` (a merge commit was pushed), `pull-request` (opened on the host), `up-to-date`. */
  outcome: 'merged' | 'pull-request' | 'up-to-date';
  sha?: string;
  pullRequestUrl?: string;
  mergeable?: boolean;
  /** Dry runs: the files that would conflict. */
  conflicts?: string[];
  branchDeleted: boolean;
  plan: string;
  dryRun: boolean;
}

/** @public */
export interface PromoteRequest {
  target: ReleaseTargetSpec;
  stage: string;
  /** The release to promote (default: the latest release). */
  version?: string;
  allowDowngrade?: boolean;
  /** A roll back to an earlier release (needs `allowDowngrade` when it goes back). */
  rollback?: boolean;
  dryRun?: boolean;
}

/** @public */
export interface PromoteResult {
  entityRef: string;
  stage: string;
  version: string;
  tag: string;
  sha: string;
  digest: string;
  /** Image references written (`registry/repo:tag`). */
  tags: string[];
  previousDigest?: string;
  previousVersion?: string;
  /** GitOps stages: the unified diff of the pin file (empty: already pinned). */
  diff?: string;
  /** GitOps stages: the commit that changes the pin. */
  commit?: string;
  /** GitOps stages with `via: pull-request`: the pull request opened. */
  pullRequestUrl?: string;
  /** GitOps stages with `via: pull-request`: the branch proposed (plain git hosts: the proposal itself). */
  pullRequestBranch?: string;
  plan: string;
  dryRun: boolean;
  /**
   * `pending`: the stage is protected and a promotion request waits for
   * approval (`requestId`); nothing was written. `done`: it ran.
   */
  state?: 'done' | 'pending';
  requestId?: string;
}

/**
 * The one place that resolves a component's releases and stages and acts on
 * them. Reads are what the card shows; every write is authorized for the
 * actor against the entity that claims what it writes to, invalidates the
 * shared cache, records a history row and announces the change.
 *
 * @public
 */
export interface ReleaseService {
  getStages(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<StagesResponse>;
  getReleases(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<ReleasesResponse>;
  /** The commits on the release branch since the latest release. */
  getUnreleased(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<UnreleasedResponse>;
  /** Open hotfix branches, and the fixes prod does not run yet. */
  getHotfixes(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<HotfixesResponse>;
  tagRelease(
    request: TagReleaseRequest,
    actor: ReleaseActor,
  ): Promise<TagReleaseResult>;
  startHotfix(
    request: StartHotfixRequest,
    actor: ReleaseActor,
  ): Promise<StartHotfixResult>;
  finishHotfix(
    request: FinishHotfixRequest,
    actor: ReleaseActor,
  ): Promise<FinishHotfixResult>;
  promote(request: PromoteRequest, actor: ReleaseActor): Promise<PromoteResult>;
}
