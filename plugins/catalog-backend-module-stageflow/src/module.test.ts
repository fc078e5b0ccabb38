import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleStageflow } from './module';
import { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';
import { StageflowModelProcessor } from './processor/StageflowModelProcessor';
import { StageflowContributionsProvider } from './provider/StageflowContributionsProvider';

describe('catalogModuleStageflow', () => {
  it('registers the processors and the contributions provider', async () => {
    const addProcessor = jest.fn();
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addProcessor, addEntityProvider } as any,
        ],
      ],
      features: [
        catalogModuleStageflow,
        mockServices.rootConfig.factory({
          data: {
            stageflow: {
              flows: {
                trunk: {
                  tagPattern: 'release-{version}',
                  branches: {
                    release: 'main',
                    develop: 'main',
                    hotfix: 'hotfix/{name}',
                  },
                  candidateImage: '{image}:{sha}',
                  stages: [
                    {
                      name: 'live',
                      image: '{image}:live',
                      promoteTo: ['{image}:live'],
                    },
                  ],
                },
              },
            },
          },
        }),
      ],
    });
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(StageflowAnnotationProcessor),
    );
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(StageflowModelProcessor),
    );
    // The annotation processor knows the flows of config, not only presets.
    const annotations = addProcessor.mock.calls
      .map(([p]) => p)
      .find(
        (p): p is StageflowAnnotationProcessor =>
          p instanceof StageflowAnnotationProcessor,
      );
    const checked = await annotations!.postProcessEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'x', annotations: { 'stageflow.io/flow': 'trunk' } },
      spec: {},
    });
    expect(checked.status).toBeUndefined();
    expect(addEntityProvider).toHaveBeenCalledWith(
      expect.any(StageflowContributionsProvider),
    );
  });
});
