import { startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleStageflow } from './module';
import { StageflowAnnotationProcessor } from './processor/StageflowAnnotationProcessor';

describe('catalogModuleStageflow', () => {
  it('registers the annotation processor with the catalog', async () => {
    const addProcessor = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addProcessor } as any],
      ],
      features: [catalogModuleStageflow],
    });
    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(StageflowAnnotationProcessor),
    );
  });
});
