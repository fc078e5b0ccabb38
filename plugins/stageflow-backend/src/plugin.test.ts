import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { stageflowPlugin } from './plugin';

describe('stageflowPlugin', () => {
  it('answers the health check without credentials', async () => {
    const { server } = await startTestBackend({ features: [stageflowPlugin] });
    await request(server)
      .get('/api/stageflow/health')
      .expect(200, { status: 'ok' });
  });

  it('refuses to start with an unknown default flow', async () => {
    await expect(
      startTestBackend({
        features: [
          stageflowPlugin,
          mockServices.rootConfig.factory({
            data: { stageflow: { defaultFlow: 'trunk' } },
          }),
        ],
      }),
    ).rejects.toThrow(/stageflow\.defaultFlow: unknown flow 'trunk'/);
  });
});
