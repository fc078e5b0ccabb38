import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { stageflowPlugin } from './plugin';

describe('stageflow.entity.read', () => {
  it('refuses the stages of an entity the policy does not let the caller read', async () => {
    const { server } = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: {
                  'stageflow.io/image': 'registry.acme.example/acme/phippy',
                },
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });
    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/stages',
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      name: 'NotAllowedError',
      message:
        'You may not read the stages of component:default/phippy (permission stageflow.entity.read)',
    });
  });
});
