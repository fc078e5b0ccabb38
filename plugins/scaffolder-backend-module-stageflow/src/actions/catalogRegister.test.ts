import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { Server } from 'node:http';
import {
  RecordedRequest,
  startContributionsServer,
} from './__testUtils__/contributionsServer';
import { createCatalogRegisterAction } from './catalogRegister';

describe('stageflow:catalog:register', () => {
  let server: Server;
  let sets: Record<string, any[]>;
  let requests: RecordedRequest[];
  let action: ReturnType<typeof createCatalogRegisterAction>;

  beforeEach(async () => {
    sets = {};
    requests = [];
    const started = await startContributionsServer(sets, requests);
    server = started.server;
    action = createCatalogRegisterAction({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async id => `${started.baseUrl}/${id}`,
      }),
      auth: mockServices.auth(),
    });
  });
  afterEach(
    () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );

  const shorthand = {
    contributor: 'devops',
    appId: 'phippy',
    appType: 'ap' as const,
    stages: ['dev' as const, 'prd' as const],
    owner: 'group:team-a',
    project: '3000',
  };

  it('asks the backend in a dry run, with dryRun=true, storing nothing', async () => {
    // createMockActionContext drops isDryRun, so it is set afterwards.
    const ctx = {
      ...createMockActionContext({ input: shorthand }),
      isDryRun: true,
    };
    await action.handler(ctx as any);
    expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'GET /api/stageflow/v1/contributions/devops',
      'PUT /api/stageflow/v1/contributions/devops?dryRun=true',
    ]);
    expect(sets).toEqual({});
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'component:default/ap-phippy-dev',
      'component:default/ap-phippy-prd',
    ]);
  });

  it('adds to the contributor set with the initiator token', async () => {
    sets.devops = [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'ap-goldie-prd' },
        spec: {},
      },
    ];
    const ctx = createMockActionContext({ input: shorthand });
    await action.handler(ctx as any);

    expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'GET /api/stageflow/v1/contributions/devops',
      'PUT /api/stageflow/v1/contributions/devops',
    ]);
    expect(requests[1].authorization).toMatch(/^Bearer .+/);
    expect(requests[1].body.entities.map((e: any) => e.metadata.name)).toEqual([
      'ap-goldie-prd',
      'ap-phippy-dev',
      'ap-phippy-prd',
    ]);
    expect(requests[1].body.entities[1].metadata.annotations).toEqual({
      'stageflow.io/contributor': 'devops',
    });
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'component:default/ap-phippy-dev',
      'component:default/ap-phippy-prd',
    ]);

    // Registering again replaces the same entities instead of duplicating.
    await action.handler(createMockActionContext({ input: shorthand }) as any);
    expect(sets.devops).toHaveLength(3);
  });

  it.each([
    [
      { ...shorthand, contributor: 'Lizenz Portal' },
      /contributor must be 1 to 63/,
    ],
    [{ contributor: 'devops' }, /give entities, or the app shorthand/],
    [{ ...shorthand, entities: [] }, /either entities or the app shorthand/],
    [
      { ...shorthand, appId: 'My-App', stages: [] },
      /stages: must list at least one.*\nappId: may only contain/s,
    ],
    [
      {
        contributor: 'devops',
        entities: [{ kind: 'Component', metadata: { name: 'x' } }],
      },
      /entities\[0\] apiVersion: .*nothing was registered|nothing was registered:\nentities\[0\] apiVersion/s,
    ],
  ])('refuses bad input %#, changing nothing', async (input, message) => {
    const ctx = createMockActionContext({ input: input as any });
    const error = await action.handler(ctx as any).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
    expect(requests).toEqual([]);
  });

  it('fails the dry run as the real run when the initiator may not write', async () => {
    const ctx = {
      ...createMockActionContext({
        input: { ...shorthand, contributor: 'forbidden' },
      }),
      isDryRun: true,
    };
    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'forbidden',
    });
  });

  it("passes on the backend's refusal with its reason", async () => {
    const ctx = createMockActionContext({
      input: { ...shorthand, contributor: 'taken' },
    });
    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'taken',
    });
  });

  it('rethrows a failure of the backend as a ResponseError', async () => {
    const ctx = createMockActionContext({
      input: { ...shorthand, contributor: 'broken' },
    });
    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 500,
    });
  });
});
