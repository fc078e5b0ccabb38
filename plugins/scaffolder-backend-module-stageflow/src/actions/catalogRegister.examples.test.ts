import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import yaml from 'yaml';
import { createCatalogRegisterAction } from './catalogRegister';
import { examples } from './catalogRegister.examples';

describe('stageflow:catalog:register examples', () => {
  let server: Server;
  const puts: Array<{ url?: string; body: any }> = [];

  beforeAll(async () => {
    // Stands in for the stageflow backend: every set starts empty.
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', chunk => {
        raw += chunk;
      });
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        if (req.method === 'PUT') {
          const body = JSON.parse(raw);
          puts.push({ url: req.url, body });
          res.end(JSON.stringify({ entityRefs: body.entities.map(() => 'x') }));
          return;
        }
        res.end(JSON.stringify({ entities: [] }));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(
    () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );

  function action() {
    const { port } = server.address() as AddressInfo;
    return createCatalogRegisterAction({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
      }),
      auth: mockServices.auth(),
    });
  }

  it('registers the stage instances of Phippy', async () => {
    const { input } = yaml.parse(examples[0].example).steps[0];
    const ctx = createMockActionContext({ input });
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'component:default/ap-phippy-dev',
      'component:default/ap-phippy-int',
      'component:default/ap-phippy-prd',
    ]);
    expect(puts.at(-1)?.url).toBe('/api/stageflow/v1/contributions/devops');
    expect(puts.at(-1)?.body.entities[2].spec.dependsOn).toEqual([
      'component:default/3000',
      'resource:default/uuid-12345',
    ]);
  });

  it('registers a client and its project', async () => {
    const { input } = yaml.parse(examples[1].example).steps[0];
    const ctx = createMockActionContext({ input });
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'group:default/client01',
      'component:default/3000',
    ]);
    expect(puts.at(-1)?.url).toBe(
      '/api/stageflow/v1/contributions/license-portal',
    );
  });
});
