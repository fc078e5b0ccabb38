import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderModuleStageflow } from './module';

describe('scaffolderModuleStageflow', () => {
  it('registers the Stageflow actions with the scaffolder', async () => {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleStageflow,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    expect(addActions.mock.calls.flat().map((a: any) => a.id)).toEqual([
      'stageflow:hotfix:start',
      'stageflow:hotfix:finish',
      'stageflow:release:tag',
      'stageflow:image:promote',
      'stageflow:catalog:register',
    ]);
  });
});
