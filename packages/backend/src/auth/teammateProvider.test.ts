import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { authModuleTeammateProvider } from './teammateProvider';

const bjoern = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'bjoern.dieding', namespace: 'default' },
  spec: {
    profile: {
      displayName: 'Bjoern Dieding',
      email: 'bjoern.dieding@acme.example',
    },
    memberOf: ['team-b'],
  },
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-b' }],
};

function claimsOf(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

describe('the teammate auth provider', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  async function start(teammate: {
    userEntityRef: string;
    dangerouslyAllowOutsideDevelopment?: boolean;
  }) {
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        authModuleTeammateProvider,
        catalogServiceMock.factory({ entities: [bjoern] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: { providers: { teammate } },
          },
        }),
      ],
    });
    return server;
  }

  const refresh = (server: any) =>
    request(server)
      .get('/api/auth/teammate/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');

  it('signs in as the configured catalog user in development', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start({
      userEntityRef: 'user:default/bjoern.dieding',
    });

    const res = await refresh(server);
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({
      displayName: 'Bjoern Dieding',
      email: 'bjoern.dieding@acme.example',
    });
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/bjoern.dieding',
      ownershipEntityRefs: expect.arrayContaining([
        'user:default/bjoern.dieding',
        'group:default/team-b',
      ]),
    });
    expect(res.body.backstageIdentity.expiresInSeconds).toBeGreaterThan(0);
    // The token names the user; Backstage leaves the groups out of it (the
    // backend's user info service reads them from the catalog).
    expect(claimsOf(res.body.backstageIdentity.token).sub).toBe(
      'user:default/bjoern.dieding',
    );
  });

  it('refuses outside development', async () => {
    process.env.NODE_ENV = 'production';
    const server = await start({
      userEntityRef: 'user:default/bjoern.dieding',
    });

    const res = await refresh(server);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /cannot be used outside of a development environment unless 'auth\.providers\.teammate\.dangerouslyAllowOutsideDevelopment' is enabled/,
    );
  });

  it('signs in outside development when dangerously allowed', async () => {
    process.env.NODE_ENV = 'production';
    const server = await start({
      userEntityRef: 'user:default/bjoern.dieding',
      dangerouslyAllowOutsideDevelopment: true,
    });

    const res = await refresh(server);
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/bjoern.dieding',
    );
  });

  it('refuses a user who is not in the catalog', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start({ userEntityRef: 'user:default/nobody' });

    const res = await refresh(server);
    expect(res.status).toBe(404);
  });
});
