import { OverviewItem } from '@stageflow/plugin-stageflow-common';
import { StageflowApi } from '../api';
import { ANY_ENTITY } from './useStageflowChange';
import { StageflowQuery, useStageflowQuery } from './useStageflowQuery';

// The backend serves at most 500 items per request.
const BATCH = 500;
// Guards against a backend that ignores `offset`.
const MAX_BATCHES = 100;

/** The overview, all of it. */
export interface Overview {
  items: OverviewItem[];
  generatedAt?: string;
}

async function loadOverview(api: StageflowApi): Promise<Overview> {
  const items: OverviewItem[] = [];
  let generatedAt: string | undefined;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const page = await api.getOverview({ limit: BATCH, offset: items.length });
    items.push(...page.items);
    generatedAt = generatedAt ?? page.generatedAt;
    const done =
      page.totalCount !== undefined
        ? items.length >= page.totalCount
        : page.items.length < BATCH;
    if (done || page.items.length === 0) break;
  }
  return { items, generatedAt };
}

/** Every component Stageflow follows; read again on any change. */
export function useOverview(): StageflowQuery<Overview> {
  return useStageflowQuery(loadOverview, [], ANY_ENTITY);
}
