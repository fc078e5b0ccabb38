import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CompareResponse,
  HistoryResponse,
  HotfixesResponse,
  PromotionRequestInfo,
  PromotionsResponse,
  ReleasesResponse,
  StagesResponse,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';
import {
  StageflowApi,
  StageflowOverviewPage,
  StageflowOverviewQuery,
} from '../api';
import {
  compare,
  history,
  hotfixes,
  overviewItems,
  releases,
  stages,
  unreleased,
} from './data';

/**
 * A StageflowApi answering fixed data shaped like the demo's, for the tests
 * and for `dev/` (working on the UI without a backend). Any method can be
 * replaced through `overrides`.
 */
export class FakeStageflowApi implements StageflowApi {
  private readonly components: number;
  private readonly promotions: PromotionRequestInfo[] = [
    {
      id: '8f1d5d1e-6c7e-4a57-9d0b-1f1c2a3b4c5d',
      entityRef: 'component:default/goldie',
      stage: 'prd',
      version: '1.2.1',
      digest: `sha256:${'a'.repeat(64)}`,
      state: 'pending',
      requester: 'user:default/bjoern.dieding',
      required: 1,
      approvals: [],
      createdAt: '2026-12-01T09:00:00.000Z',
      expiresAt: '2026-12-02T09:00:00.000Z',
    },
  ];

  constructor(
    overrides: Partial<StageflowApi> = {},
    options: { components?: number } = {},
  ) {
    this.components = options.components ?? 3;
    Object.assign(this, overrides);
  }

  async getStages(entity: CompoundEntityRef): Promise<StagesResponse> {
    return {
      ...stages,
      entityRef: `${entity.kind.toLocaleLowerCase('en-US')}:${
        entity.namespace
      }/${entity.name}`,
    };
  }

  async getReleases(): Promise<ReleasesResponse> {
    return releases;
  }

  async getHistory(): Promise<HistoryResponse> {
    return history;
  }

  async getCompare(
    _entity: CompoundEntityRef,
    range: { from: string; to: string },
  ): Promise<CompareResponse> {
    return {
      ...compare,
      from: { ...compare.from, ref: range.from },
      to: { ...compare.to, ref: range.to },
    };
  }

  async getOverview(
    query: StageflowOverviewQuery = {},
  ): Promise<StageflowOverviewPage> {
    const all = overviewItems(this.components);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    return {
      items: all.slice(offset, offset + limit),
      totalCount: all.length,
      generatedAt: '2026-11-20T10:00:00Z',
    };
  }

  async getUnreleased(): Promise<UnreleasedResponse> {
    return unreleased;
  }

  async getHotfixes(): Promise<HotfixesResponse> {
    return hotfixes;
  }

  async getPromotions(entity: CompoundEntityRef): Promise<PromotionsResponse> {
    return {
      promotions: this.promotions
        .filter(p => p.entityRef === `component:default/${entity.name}`)
        .map(p => ({ ...p })),
    };
  }

  async decidePromotion(
    id: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<PromotionRequestInfo> {
    const request = this.promotions.find(p => p.id === id)!;
    request.approvals = [
      ...request.approvals,
      {
        by: 'user:default/guest',
        decision,
        ...(comment ? { comment } : {}),
        at: new Date().toISOString(),
      },
    ];
    request.state = decision === 'approve' ? 'done' : 'rejected';
    return { ...request };
  }
}
