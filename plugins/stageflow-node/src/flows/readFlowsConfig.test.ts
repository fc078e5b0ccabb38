import { ConfigReader } from '@backstage/config';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { readStageflowConfig } from './readFlowsConfig';

const trunk = {
  tagPattern: 'release-{version}',
  branches: { release: 'main', develop: 'main', hotfix: 'hotfix/{name}' },
  candidateImage: '{image}:{sha}',
  stages: [
    { name: 'qa', image: '{image}:qa', branch: 'main' },
    { name: 'live', image: '{image}:live', promoteTo: ['{image}:live'] },
  ],
};

describe('readStageflowConfig', () => {
  it('defaults to oneflow with the presets', () => {
    const config = readStageflowConfig(new ConfigReader({}));
    expect(config.defaultFlow).toBe('oneflow');
    expect(config.flows).toEqual({ oneflow: ONEFLOW, gitflow: GITFLOW });
    expect(config.cacheTtlSeconds).toBe(60);
    expect(config.snapshotFrequencyMinutes).toBe(5);
  });

  it('reads a custom flow and lets it be the default', () => {
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: { defaultFlow: 'trunk', flows: { trunk } },
      }),
    );
    expect(config.defaultFlow).toBe('trunk');
    expect(config.flows.trunk.stages).toEqual([
      { name: 'qa', image: '{image}:qa', expects: { branch: 'main' } },
      {
        name: 'live',
        image: '{image}:live',
        promoteTo: ['{image}:live'],
        expects: { release: true },
      },
    ]);
  });

  it('names the key of an unknown default flow', () => {
    expect(() =>
      readStageflowConfig(
        new ConfigReader({ stageflow: { defaultFlow: 'trunk' } }),
      ),
    ).toThrow(
      "Invalid config at stageflow.defaultFlow: unknown flow 'trunk', expected one of oneflow, gitflow",
    );
  });

  it.each([
    [
      { ...trunk, tagPattern: 'release' },
      'Invalid config at stageflow.flows.trunk.tagPattern: must contain {version} exactly once',
    ],
    [
      { ...trunk, candidateImage: '{image}:latest' },
      'Invalid config at stageflow.flows.trunk.candidateImage: must contain {sha}',
    ],
    [
      { ...trunk, stages: [{ name: 'QA', image: '{image}:qa' }] },
      'Invalid config at stageflow.flows.trunk.stages.0.name: must be lowercase letters, digits and dashes',
    ],
    [
      { ...trunk, stages: [trunk.stages[0], trunk.stages[0]] },
      "Invalid config at stageflow.flows.trunk.stages: stage 'qa' is listed twice",
    ],
  ])('names the key of a bad flow (%#)', (flow, message) => {
    expect(() =>
      readStageflowConfig(
        new ConfigReader({ stageflow: { flows: { trunk: flow } } }),
      ),
    ).toThrow(message);
  });
});
