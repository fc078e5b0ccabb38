import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CompareResponse,
  HistoryResponse,
  HotfixesResponse,
  OverviewResponse,
  PromotionRequestInfo,
  PromotionsResponse,
  ReleasesResponse,
  StagesResponse,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';

/**
 * Narrows and pages `GET /v1/overview`.
 *
 * @public
 */
export interface StageflowOverviewQuery {
  limit?: number;
  offset?: number;
  /** Owner entity ref, for example `group:default/team-a`. */
  owner?: string;
  /** System entity ref, for example `system:default/azure-devops`. */
  system?: string;
  flow?: string;
}

/**
 * One page of the overview. `totalCount` is the number of components that
 * match the filters over all pages, when the backend reports it.
 *
 * @public
 */
export type StageflowOverviewPage = OverviewResponse & { totalCount?: number };

/**
 * Client of the Stageflow backend API.
 *
 * @public
 */
export interface StageflowApi {
  getStages(entity: CompoundEntityRef): Promise<StagesResponse>;
  getReleases(entity: CompoundEntityRef): Promise<ReleasesResponse>;
  getHistory(entity: CompoundEntityRef): Promise<HistoryResponse>;
  /**
   * The commits between two points; each is a stage name, a release tag or a
   * commit sha.
   */
  getCompare(
    entity: CompoundEntityRef,
    range: { from: string; to: string },
  ): Promise<CompareResponse>;
  getOverview(query?: StageflowOverviewQuery): Promise<StageflowOverviewPage>;
  /** The commits on the release branch since the latest release. */
  getUnreleased(entity: CompoundEntityRef): Promise<UnreleasedResponse>;
  /** The open hotfix branches and the fixes prod does not run yet. */
  getHotfixes(entity: CompoundEntityRef): Promise<HotfixesResponse>;
  /** The promotion requests of the entity's protected stages, newest first. */
  getPromotions(entity: CompoundEntityRef): Promise<PromotionsResponse>;
  /** Approves or rejects a pending promotion request as the signed-in user. */
  decidePromotion(
    id: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<PromotionRequestInfo>;
}

/**
 * @public
 */
export const stageflowApiRef = createApiRef<StageflowApi>({
  id: 'plugin.stageflow.api',
});
