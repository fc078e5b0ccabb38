import { StageflowApi } from '../api';
import { FakeStageflowApi } from './FakeStageflowApi';

/** The fake with every method wrapped in a jest spy, for call assertions. */
export function mockStageflowApi(
  overrides: Partial<StageflowApi> = {},
): jest.Mocked<StageflowApi> {
  const api = new FakeStageflowApi(overrides);
  for (const method of [
    'getStages',
    'getReleases',
    'getHistory',
    'getCompare',
    'getOverview',
    'getUnreleased',
    'getHotfixes',
    'getPromotions',
    'decidePromotion',
  ] as const) {
    jest.spyOn(api, method);
  }
  return api as unknown as jest.Mocked<StageflowApi>;
}
