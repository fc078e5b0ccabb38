import {
  mockServices,
  registerMswTestHooks,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { redactSecrets } from './errorBoundary';
import { stageflowPlugin } from './plugin';

jest.setTimeout(60_000);

const TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';

describe('error responses of the Stageflow routers', () => {
  // No real server answers 502 on demand: msw stands in for GitHub.
  const msw = setupServer();
  registerMswTestHooks(msw);

  it('answer an upstream 502 with a message and a status, keeping the request URL and the answer body in the log, redacted (issue 13, reproduction 7)', async () => {
    msw.use(
      // supertest's own requests to the test backend
      http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
      http.all('https://github.acme.example/api/v3/*', () =>
        HttpResponse.json(
          { message: 'upstream-body-secret', documentation_url: 'x' },
          {
            status: 502,
            headers: { 'x-github-request-id': 'UPSTREAM-HEADER-SECRET' },
          },
        ),
      ),
    );
    const logger = mockServices.logger.mock();
    const { server } = await startTestBackend({
      features: [
        stageflowPlugin,
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: 'github.acme.example',
                  apiBaseUrl: 'https://github.acme.example/api/v3',
                  token: TOKEN,
                },
              ],
            },
            // The REST reads, whose upstream answer msw fakes here.
            stageflow: { git: { githubGraphql: false } },
          },
        }),
        logger.factory,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'phippy',
                annotations: {
                  'github.com/project-slug': 'acme/phippy',
                  'stageflow.io/image': 'registry.acme.example/acme/phippy',
                  'backstage.io/source-location':
                    'url:https://github.acme.example/acme/phippy/tree/develop/',
                },
              },
              spec: { type: 'website', owner: 'team-a' },
            },
          ],
        }),
      ],
    });

    const res = await request(server).get(
      '/api/stageflow/v1/entities/component/default/phippy/releases',
    );
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: {
        name: 'UpstreamError',
        // Who failed doing what; what the host answered stays in the log.
        message: expect.stringMatching(
          /^github\.acme\.example failed to list tags for acme\/phippy( \(upstream status 502\)| \(no response: [a-z ]+\))?; the server log has the details$/,
        ),
      },
      request: {
        method: 'GET',
        url: '/api/stageflow/v1/entities/component/default/phippy/releases',
      },
      response: { statusCode: 502 },
    });
    const text = JSON.stringify(res.body);
    for (const secret of [
      'https://github.acme.example/api',
      'upstream-body-secret',
      'UPSTREAM-HEADER-SECRET',
      TOKEN,
      'cause',
      'stack',
    ]) {
      expect(text).not.toContain(secret);
    }

    // The log says which host failed, doing what, with which status.
    const logged = JSON.stringify(logger.error.mock.calls);
    expect(logged).toContain('github.acme.example');
    expect(logged).toContain('list tags');
    expect(logged).toContain('HTTP 502');
    // And what it answered: the request's URL and the body, for whoever
    // reads the server log.
    expect(logged).toContain('https://github.acme.example/api');
    expect(logged).toContain('upstream-body-secret');
    expect(logged).not.toContain(TOKEN);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['https://bot:hunter2@git.acme.example/acme/phippy.git', 'hunter2'],
    ['{"authorization":"token abcdef123456"}', 'abcdef123456'],
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIiOiJ4In0.sig', 'eyJhbGciOi'],
    ['?access_token=abcdef&x=1', 'abcdef'],
    [`headers: { cookie: 'session=s3cr3t' }`, 's3cr3t'],
    [`token ${TOKEN}`, TOKEN],
  ])('redacts %s', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });
});
