import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { DefaultGitService, parseRemote } from './DefaultGitService';
import { gitServiceRef } from './gitServiceRef';
import { UpstreamPolicies } from '../resilience/UpstreamPolicies';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import { listReleases } from './listReleases';
import type { GitService } from './types';
import {
  createDemoRepository,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import { startFakeGithubServer } from '../testUtils/git/fakeGithubServer';

jest.setTimeout(30_000);

describe('DefaultGitService', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let demoPath: string;

  beforeAll(async () => {
    temp = await makeTempDir('service');
    demoPath = (await createDemoRepository(join(temp.dir), 'phippy.git')).path;
  });
  afterAll(() => temp.cleanup());

  function service(data: object) {
    return DefaultGitService.fromConfig(new ConfigReader(data), {
      logger: mockServices.logger.mock(),
      policies: new UpstreamPolicies({
        defaults: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
        hosts: new Map(),
      }),
    });
  }

  it('maps a configured host onto a file:// baseUrl, as the demo does', async () => {
    const git = service({
      stageflow: {
        git: {
          cacheDir: join(temp.dir, 'cache'),
          hosts: [{ host: 'git.acme.test', baseUrl: `file://${temp.dir}/` }],
        },
      },
    });
    const repository = git.getRepository({
      type: 'git',
      url: 'https://git.acme.test/phippy.git',
    });
    expect((await listReleases(repository, 'v{version}'))[0].tag).toBe(
      'v1.10.0',
    );
    expect(
      git.getRepository({
        type: 'git',
        url: 'https://git.acme.test/phippy.git',
      }),
    ).toBe(repository);
  });

  it('reads GitHub hosts and tokens from integrations.github', async () => {
    const server = await startFakeGithubServer({
      repositories: { 'acme/phippy': demoPath },
      token: 'ghe-token',
    });
    try {
      const git = service({
        integrations: {
          github: [
            {
              host: 'ghe.acme.test',
              apiBaseUrl: server.apiBaseUrl,
              token: 'ghe-token',
            },
          ],
        },
      });
      const repository = git.getRepository({
        type: 'github',
        host: 'ghe.acme.test',
        owner: 'acme',
        repo: 'phippy',
      });
      await expect(repository.getDefaultBranch()).resolves.toBe('main');
      expect(server.requests.map(r => r.status)).toEqual([200]);
    } finally {
      await server.close();
    }
  });

  it.each([
    [
      { type: 'github', host: 'evil.example.com', owner: 'a', repo: 'b' },
      /not configured in integrations.github/,
    ],
    [
      { type: 'github', host: 'github.com', owner: '..', repo: 'b' },
      /Invalid GitHub owner/,
    ],
    [
      { type: 'git', url: 'https://evil.example.com/a.git' },
      /not configured in stageflow.git.hosts/,
    ],
    [{ type: 'git', url: 'https://169.254.169.254/latest' }, /not configured/],
    [
      { type: 'git', url: `file://${'/etc'}/passwd` },
      /Unsupported git URL scheme 'file:'/,
    ],
    [
      { type: 'git', url: 'ext::sh -c touch% /tmp/pwned' },
      /Invalid git URL|Unsupported/,
    ],
    [
      { type: 'git', url: 'https://user:pw@git.acme.test/a.git' },
      /must not carry credentials/,
    ],
    [
      { type: 'git', url: 'https://git.acme.test/a%2F..%2Fb.git' },
      /Invalid repository path/,
    ],
    [
      { type: 'git', url: 'https://git.acme.test/-u.git' },
      /Invalid repository path/,
    ],
    [{ type: 'git', url: 'https://git.acme.test/' }, /Invalid repository path/],
    [
      { type: 'git', url: 'http://plain.acme.test/a.git' },
      /Refusing plain http/,
    ],
  ] as const)('refuses %j before any request', (locator, message) => {
    const git = service({
      integrations: { github: [{ host: 'github.com' }] },
      stageflow: {
        git: {
          hosts: [
            { host: 'git.acme.test', baseUrl: `file://${temp.dir}` },
            { host: 'plain.acme.test' },
          ],
        },
      },
    });
    expect(() => git.getRepository(locator as any)).toThrow(InputError);
    expect(() => git.getRepository(locator as any)).toThrow(message);
  });

  it('keeps a traversal attempt inside the baseUrl', () => {
    expect(parseRemote('https://git.acme.test/a/../../b.git').path).toBe(
      'b.git',
    );
    expect(parseRemote('git@git.acme.test:acme/phippy.git')).toMatchObject({
      scheme: 'ssh',
      host: 'git.acme.test',
      path: 'acme/phippy.git',
    });
    expect(() => parseRemote('git@git.acme.test:acme/../../x.git')).toThrow(
      InputError,
    );
  });

  it('refuses a host configured twice', () => {
    expect(() =>
      service({
        stageflow: { git: { hosts: [{ host: 'a.test' }, { host: 'A.test' }] } },
      }),
    ).toThrow(/more than once/);
  });
});

describe('gitServiceRef', () => {
  it('is provided by its default factory from root config', async () => {
    let git: GitService | undefined;
    await startTestBackend({
      features: [
        mockServices.rootConfig.factory({
          data: {
            stageflow: {
              git: {
                cacheDir: join(__dirname, 'unused'),
                hosts: [{ host: 'git.acme.test', baseUrl: 'file:///nowhere' }],
              },
            },
          },
        }),
        createBackendPlugin({
          pluginId: 'probe',
          register(env) {
            env.registerInit({
              deps: { gitService: gitServiceRef },
              async init({ gitService }) {
                git = gitService;
              },
            });
          },
        }),
      ],
    });
    expect(git).toBeInstanceOf(DefaultGitService);
    expect(() =>
      git!.getRepository({ type: 'git', url: 'https://other.test/x.git' }),
    ).toThrow(InputError);
  });
});
