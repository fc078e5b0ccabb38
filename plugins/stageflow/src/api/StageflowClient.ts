import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
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
} from './StageflowApi';

/**
 * Talks to the Stageflow backend through the discovery and fetch APIs, so
 * that the caller's identity travels with every request.
 *
 * @public
 */
export class StageflowClient implements StageflowApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getStages(entity: CompoundEntityRef): Promise<StagesResponse> {
    return this.get(`${entityPath(entity)}/stages`);
  }

  getReleases(entity: CompoundEntityRef): Promise<ReleasesResponse> {
    return this.get(`${entityPath(entity)}/releases`);
  }

  getHistory(entity: CompoundEntityRef): Promise<HistoryResponse> {
    return this.get(`${entityPath(entity)}/history`);
  }

  getCompare(
    entity: CompoundEntityRef,
    range: { from: string; to: string },
  ): Promise<CompareResponse> {
    const query = new URLSearchParams({ from: range.from, to: range.to });
    return this.get(`${entityPath(entity)}/compare?${query}`);
  }

  getOverview(
    query: StageflowOverviewQuery = {},
  ): Promise<StageflowOverviewPage> {
    const params = new URLSearchParams();
    for (const key of ['limit', 'offset', 'owner', 'system', 'flow'] as const) {
      const value = query[key];
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const search = params.toString();
    return this.get(`/v1/overview${search ? `?${search}` : ''}`);
  }

  getUnreleased(entity: CompoundEntityRef): Promise<UnreleasedResponse> {
    return this.get(`${entityPath(entity)}/unreleased`);
  }

  getHotfixes(entity: CompoundEntityRef): Promise<HotfixesResponse> {
    return this.get(`${entityPath(entity)}/hotfixes`);
  }

  getPromotions(entity: CompoundEntityRef): Promise<PromotionsResponse> {
    return this.get(`${entityPath(entity)}/promotions`);
  }

  decidePromotion(
    id: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<PromotionRequestInfo> {
    return this.get(`/v1/promotions/${encodeURIComponent(id)}/${decision}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(comment ? { comment } : {}),
    });
  }

  private async get<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('stageflow');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  return `/v1/entities/${[entity.kind, entity.namespace, entity.name]
    .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
    .join('/')}`;
}
