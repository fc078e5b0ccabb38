import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CompareResponse,
  HistoryResponse,
  HotfixesResponse,
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
}
