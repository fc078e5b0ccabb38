import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { buildAppEntities } from '@stageflow/plugin-stageflow-common';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { StageflowContributionsProvider } from './StageflowContributionsProvider';

// A real HTTP server standing in for the stageflow backend: the provider's
// requests (paths, token) are what is under test.
function startStageflow(sets: Record<string, Entity[]>) {
  const requests: Array<{ url?: string; authorization?: string }> = [];
  let failContributor: string | undefined;
  const server = createServer((req, res) => {
    requests.push({ url: req.url, authorization: req.headers.authorization });
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/api/stageflow/v1/contributions') {
      res.end(
        JSON.stringify({
          contributors: Object.keys(sets).map(contributor => ({
            contributor,
            entityCount: sets[contributor].length,
          })),
        }),
      );
      return;
    }
    const contributor = req.url?.split('/').pop() ?? '';
    if (contributor === failContributor) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: { name: 'Error', message: 'boom' } }));
      return;
    }
    res.end(JSON.stringify({ contributor, entities: sets[contributor] ?? [] }));
  });
  return {
    server,
    requests,
    failOn(name: string) {
      failContributor = name;
    },
  };
}

describe('StageflowContributionsProvider', () => {
  let server: Server;
  afterEach(
    () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );

  async function setup(sets: Record<string, Entity[]>) {
    const stageflow = startStageflow(sets);
    server = stageflow.server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const discovery = mockServices.discovery.mock({
      getBaseUrl: async pluginId => `http://127.0.0.1:${port}/api/${pluginId}`,
    });
    const provider = new StageflowContributionsProvider({
      discovery,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    const connection: jest.Mocked<EntityProviderConnection> = {
      applyMutation: jest.fn(),
      refresh: jest.fn(),
    };
    await provider.connect(connection);
    return { ...stageflow, provider, connection };
  }

  const phippy = buildAppEntities({
    appId: 'phippy',
    appType: 'ap',
    stages: ['dev', 'prd'],
    owner: 'group:team-a',
    project: '3000',
    contributor: 'devops',
  });
  const cluster: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'uuid-12345' },
    spec: { type: 'kubernetes-cluster', owner: 'group:devops' },
  };

  it('applies every contributor as one full mutation, one location key each', async () => {
    const { provider, connection, requests } = await setup({
      devops: phippy,
      rancher: [cluster],
    });
    await provider.refresh();

    expect(requests.map(r => r.url)).toEqual([
      '/api/stageflow/v1/contributions',
      '/api/stageflow/v1/contributions/devops',
      '/api/stageflow/v1/contributions/rancher',
    ]);
    expect(requests.every(r => r.authorization?.startsWith('Bearer '))).toBe(
      true,
    );
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const mutation = connection.applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    const entities = mutation.type === 'full' ? mutation.entities : [];
    expect(entities.map(e => [e.locationKey, e.entity.metadata.name])).toEqual([
      ['stageflow-contributor:devops', 'ap-phippy-dev'],
      ['stageflow-contributor:devops', 'ap-phippy-prd'],
      ['stageflow-contributor:rancher', 'uuid-12345'],
    ]);
    expect(entities[2].entity.metadata.annotations).toEqual({
      'backstage.io/managed-by-location': 'stageflow-contributor:rancher',
      'backstage.io/managed-by-origin-location':
        'stageflow-contributor:rancher',
    });
  });

  it('drops an entity a contributor no longer sends', async () => {
    const sets = { devops: phippy };
    const { provider, connection } = await setup(sets);
    await provider.refresh();
    sets.devops = [phippy[1]];
    await provider.refresh();

    const last = connection.applyMutation.mock.calls[1][0];
    expect(
      last.type === 'full' && last.entities.map(e => e.entity.metadata.name),
    ).toEqual(['ap-phippy-prd']);
  });

  it('reads no set again while the list of contributors is unchanged', async () => {
    const sets = { devops: phippy, rancher: [cluster] };
    const { provider, connection, requests } = await setup(sets);
    await provider.refresh();
    requests.length = 0;
    await provider.refresh();
    expect(requests.map(r => r.url)).toEqual([
      '/api/stageflow/v1/contributions',
    ]);
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);

    // An announced change is read even when the list looks the same.
    await provider.refresh({ force: true });
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
  });

  it('applies nothing when one read fails', async () => {
    const { provider, connection, failOn } = await setup({
      devops: phippy,
      rancher: [cluster],
    });
    failOn('rancher');
    await expect(provider.refresh()).rejects.toThrow(/500/);
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });
});
