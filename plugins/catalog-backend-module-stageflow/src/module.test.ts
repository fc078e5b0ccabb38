import { startTestBackend } from '@backstage/backend-test-utils';
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
      features: [catalogModuleStageflow],
    });
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(StageflowAnnotationProcessor),
    );
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(StageflowModelProcessor),
    );
    expect(addEntityProvider).toHaveBeenCalledWith(
      expect.any(StageflowContributionsProvider),
    );
  });
});
