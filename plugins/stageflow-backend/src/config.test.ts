import { ConfigReader } from '@backstage/config';
import { readStageflowBackendConfig } from './config';

describe('readStageflowBackendConfig', () => {
  it('defaults to oneflow', () => {
    expect(readStageflowBackendConfig(new ConfigReader({}))).toEqual({
      defaultFlow: 'oneflow',
    });
  });

  it('reads a preset flow', () => {
    expect(
      readStageflowBackendConfig(
        new ConfigReader({ stageflow: { defaultFlow: 'gitflow' } }),
      ),
    ).toEqual({ defaultFlow: 'gitflow' });
  });

  it('names the key of an unknown flow', () => {
    expect(() =>
      readStageflowBackendConfig(
        new ConfigReader({ stageflow: { defaultFlow: 'trunk' } }),
      ),
    ).toThrow(
      "Invalid config at stageflow.defaultFlow: unknown flow 'trunk', expected one of oneflow, gitflow",
    );
  });
});
