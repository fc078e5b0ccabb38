import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReleaseServiceClient } from './ReleaseServiceClient';

const baseUrl = 'http://stageflow.test/api/stageflow';

// Error bodies as the Stageflow backend's error middleware answers them.
const server = setupServer();

describe('ReleaseServiceClient', () => {
  registerMswTestHooks(server);

  const client = new ReleaseServiceClient({
    discovery: {
      getBaseUrl: async () => baseUrl,
      getExternalBaseUrl: async () => baseUrl,
    },
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
  });
  const actor = {
    credentials: mockCredentials.user('user:default/john.doe'),
    taskId: 'task-1',
  };
  const request = {
    target: { entityRef: 'component:default/phippy' },
    stage: 'prod',
  };

  it('posts the request with the task id, on behalf of the user', async () => {
    let seen: { body: unknown; authorization: string | null } | undefined;
    server.use(
      http.post(`${baseUrl}/v1/promotions`, async ({ request: req }) => {
        seen = {
          body: await req.json(),
          authorization: req.headers.get('authorization'),
        };
        return HttpResponse.json({ stage: 'prod' });
      }),
    );
    await client.promote(request, actor);
    expect(seen?.body).toEqual({ ...request, taskId: 'task-1' });
    expect(seen?.authorization).toMatch(/^Bearer .+/);
    expect(seen?.authorization).toContain('user:default/john.doe');
  });

  it.each([
    [400, 'InputError', 'Invalid input: version must be a SemVer version'],
    [409, 'ConflictError', 'Stage prod runs 1.3.0, newer than 1.1.0'],
    [403, 'NotAllowedError', 'permission stageflow.image.promote is denied'],
    [404, 'NotFoundError', 'No entity component:default/phippy'],
  ])(
    'gives back a %s as %s with its message',
    async (status, name, message) => {
      server.use(
        http.post(`${baseUrl}/v1/promotions`, () =>
          HttpResponse.json(
            { error: { name, message }, response: { statusCode: status } },
            { status },
          ),
        ),
      );
      const error = await client.promote(request, actor).catch(e => e);
      expect(error.name).toBe(name);
      expect(error.message).toBe(message);
    },
  );

  it('keeps an upstream failure an upstream failure (502), not the user fault', async () => {
    server.use(
      http.post(`${baseUrl}/v1/promotions`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'UpstreamError',
              message:
                'Registry copy on registry.acme.example/acme/phippy failed (HTTP 503)',
            },
            response: { statusCode: 502 },
          },
          { status: 502 },
        ),
      ),
    );
    const error = await client.promote(request, actor).catch(e => e);
    expect(error).toMatchObject({
      name: 'UpstreamError',
      statusCode: 502,
      message:
        'Registry copy on registry.acme.example/acme/phippy failed (HTTP 503)',
    });
  });

  it('reports a body that is no Backstage error by its status', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/entities/component/default/phippy/stages`,
        () => new HttpResponse('gateway down', { status: 504 }),
      ),
    );
    await expect(
      client.getStages('component:default/phippy', actor),
    ).rejects.toMatchObject({ statusCode: 504 });
  });
});
