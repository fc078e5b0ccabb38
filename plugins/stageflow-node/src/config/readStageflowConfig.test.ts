import { ConfigReader } from '@backstage/config';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { demoStageflowConfig } from '../demo/generateDemoData';
import { readStageflowConfig } from './readStageflowConfig';

const trunk = {
  tagPattern: 'release-{version}',
  branches: { release: 'main', develop: 'main', hotfix: 'hotfix/{name}' },
  candidateImage: '{image}:{sha}',
  stages: [
    { name: 'qa', image: '{image}:qa', branch: 'main' },
    { name: 'live', image: '{image}:live', promoteTo: ['{image}:live'] },
  ],
};

describe('readStageflowConfig', () => {
  it('defaults to oneflow with the presets', () => {
    const config = readStageflowConfig(new ConfigReader({}));
    expect(config.defaultFlow).toBe('oneflow');
    expect(config.flows).toEqual({ oneflow: ONEFLOW, gitflow: GITFLOW });
    expect(config.cacheTtlSeconds).toBe(60);
    expect(config.snapshotFrequencyMinutes).toBe(5);
    expect(config.claims).toEqual({});
    expect(config.approvalsExpireAfterMs).toBe(24 * 60 * 60 * 1000);
  });

  it('reads protected stages and the expiry of requests', () => {
    const live = {
      ...trunk.stages[1],
      approval: { required: 2, from: ['release-managers'] },
      freeze: [{ name: 'weekend', cron: '0 18 * * 5', duration: 'PT60H' }],
    };
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: {
          flows: { trunk: { ...trunk, stages: [trunk.stages[0], live] } },
          approvals: { expireAfter: { hours: 2 } },
        },
      }),
    );
    expect(config.flows.trunk.stages[1]).toMatchObject({
      approval: { required: 2, from: ['group:default/release-managers'] },
      freeze: [{ name: 'weekend', cron: '0 18 * * 5', duration: 'PT60H' }],
    });
    expect(config.approvalsExpireAfterMs).toBe(2 * 60 * 60 * 1000);
  });

  it('reads claims keyed by repository or image, normalized', () => {
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: {
          claims: {
            'https://Git.Acme.example/acme/phippy.git':
              'component:default/phippy',
            'registry.acme.example/acme/phippy': 'default/phippy',
          },
        },
      }),
    );
    expect(config.claims).toEqual({
      'git.acme.example/acme/phippy': 'component:default/phippy',
      'registry.acme.example/acme/phippy': 'component:default/phippy',
    });
  });

  it.each([
    [
      { claims: { 'git.acme.example/acme/phippy': 'not a ref:' } },
      /Invalid config at stageflow\.claims\.git\.acme\.example\/acme\/phippy: must be an entity ref/,
    ],
    [
      { claims: { phippy: 'component:default/phippy' } },
      'Invalid config at stageflow.claims.phippy: must be keyed by a repository',
    ],
    [
      { cache: { ttlSeconds: -1 } },
      'Invalid config at stageflow.cache.ttlSeconds: must be zero or more',
    ],
    [
      { snapshots: { frequencyMinutes: 0 } },
      'Invalid config at stageflow.snapshots.frequencyMinutes: must be more than zero',
    ],
    [
      { approvals: { expireAfter: 'a day' } },
      'Invalid config at stageflow.approvals.expireAfter:',
    ],
    [
      { git: { hosts: [{ host: 'a.test', baseUrl: 'ftp://a.test' }] } },
      'Invalid config at stageflow.git.hosts[0].baseUrl: must be an https, http, ssh, git or file URL',
    ],
    [
      { git: { hosts: [{ host: 'a.test' }, { host: 'A.test' }] } },
      'Invalid config at stageflow.git.hosts[1].host: a.test is named more than once',
    ],
    [
      { git: { githubGraphql: 'sometimes' } },
      'Invalid config at stageflow.git.githubGraphql: must be true or false',
    ],
    [
      { git: { cachedir: '/tmp' } },
      'Invalid config at stageflow.git.cachedir: unknown key',
    ],
    [
      { registries: [{ host: 'ghcr.io' }, { host: 'a.io', type: 'oci' }] },
      'Invalid config at stageflow.registries[1].type: must be distribution or oci-layout, got "oci"',
    ],
    [
      { registries: [{ host: 'a.io', timeoutMs: 'soon' }] },
      'Invalid config at stageflow.registries[0].timeoutMs: must be a number',
    ],
    [
      { resilience: { hosts: [{ host: 'a.io', retries: 11 }] } },
      'Invalid config at stageflow.resilience.hosts[0].retries:',
    ],
    [
      { contributors: { devops: { writers: { users: ['group:ops'] } } } },
      'Invalid config at stageflow.contributors.devops.writers.users[0]: must be a user ref such as user:default/name, got "group:ops"',
    ],
    [
      { contributors: { 'dev ops': {} } },
      'Invalid config at stageflow.contributors.dev ops: the name must be',
    ],
    [
      { notifications: { registry: { secret: 42 } } },
      'Invalid config at stageflow.notifications.registry.secret:',
    ],
    [
      { notifications: { registries: { secret: 's' } } },
      'Invalid config at stageflow.notifications.registries: unknown key',
    ],
  ])('names the path of a bad section (%#)', (stageflow, message) => {
    expect(() =>
      readStageflowConfig(new ConfigReader({ stageflow } as any)),
    ).toThrow(message);
  });

  it('refuses an unknown key under stageflow, naming it and the known ones', () => {
    expect(() =>
      readStageflowConfig(
        new ConfigReader({
          stageflow: { registry: [{ host: 'ghcr.io' }] },
        }),
      ),
    ).toThrow(
      'Invalid config at stageflow.registry: unknown key; expected one of defaultFlow, flows, cache, snapshots, claims, approvals, git, registries, resilience, contributors, notifications',
    );
  });

  it('reads every section with its defaults', () => {
    const config = readStageflowConfig(new ConfigReader({}));
    expect(config.git).toEqual({
      hosts: [],
      githubGraphql: true,
      cacheDir: expect.stringMatching(/stageflow-git-cache$/),
    });
    expect(config.registries).toEqual([]);
    expect(config.resilience.hosts.size).toBe(0);
    expect(config.contributors.size).toBe(0);
    expect(config.notifications).toEqual({});
    expect(config.snapshotFrequencyConfigured).toBe(false);
  });

  it('reads git, registries, resilience, contributors and notifications', () => {
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: {
          snapshots: { frequencyMinutes: 10 },
          git: {
            cacheDir: '/var/cache/stageflow',
            // As an environment substitution writes them.
            githubGraphql: 'false',
            hosts: [{ host: 'Git.Acme.test', baseUrl: 'file:///srv/git///' }],
          },
          registries: [
            { host: 'Index.Docker.io', timeoutMs: '5000' },
            { host: 'demo.test', type: 'oci-layout', path: '/srv/oci' },
          ],
          resilience: { retries: 1, hosts: [{ host: 'GHCR.io', retries: 0 }] },
          contributors: { devops: { writers: { users: ['guest'] } } },
          notifications: { registry: { secret: 's3cret' } },
        },
      }),
    );
    expect(config.snapshotFrequencyConfigured).toBe(true);
    expect(config.git).toEqual({
      cacheDir: '/var/cache/stageflow',
      githubGraphql: false,
      hosts: [{ host: 'git.acme.test', baseUrl: 'file:///srv/git' }],
    });
    expect(config.registries).toEqual([
      { host: 'docker.io', type: 'distribution', timeoutMs: 5000 },
      { host: 'demo.test', type: 'oci-layout', path: '/srv/oci' },
    ]);
    expect(config.resilience.defaults.retries).toBe(1);
    expect(config.resilience.hosts.get('ghcr.io')?.retries).toBe(0);
    expect(config.contributors.get('devops')?.writers.users).toEqual([
      'user:default/guest',
    ]);
    expect(config.notifications).toEqual({ registrySecret: 's3cret' });
  });

  it('takes the demo config as it is', () => {
    const data = { dir: '/demo', gitDir: '/demo/git', ociDir: '/demo/oci' };
    expect(() =>
      readStageflowConfig(
        new ConfigReader({ stageflow: demoStageflowConfig(data) }),
      ),
    ).not.toThrow();
  });

  it('reads a custom flow and lets it be the default', () => {
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: { defaultFlow: 'trunk', flows: { trunk } },
      }),
    );
    expect(config.defaultFlow).toBe('trunk');
    expect(config.flows.trunk.stages).toEqual([
      { name: 'qa', image: '{image}:qa', expects: { branch: 'main' } },
      {
        name: 'live',
        image: '{image}:live',
        promoteTo: ['{image}:live'],
        expects: { release: true },
      },
    ]);
  });

  it('reads a GitOps stage source, with the defaults branch main and via push', () => {
    const source = {
      type: 'gitops',
      repository: 'ghe.acme.example/acme/gitops',
      path: 'envs/{stage}/{component}/values.yaml',
      values: { tag: 'image.tag', digest: 'image.digest' },
    };
    const config = readStageflowConfig(
      new ConfigReader({
        stageflow: {
          flows: {
            trunk: {
              ...trunk,
              stages: [{ name: 'live', image: '{image}', source }],
            },
          },
        },
      }),
    );
    expect(config.flows.trunk.stages[0]).toEqual({
      name: 'live',
      image: '{image}',
      expects: { release: true },
      source: { ...source, branch: 'main', via: 'push' },
    });
  });

  it.each([
    [
      { path: '../{stage}/values.yaml' },
      'stageflow.flows.trunk.stages[0].source.path: must be a relative path without .. or empty segments',
    ],
    [
      { path: '/etc/{stage}.yaml' },
      'stageflow.flows.trunk.stages[0].source.path: must be a relative path without .. or empty segments',
    ],
    [
      { path: 'envs/{image}/values.yaml' },
      'stageflow.flows.trunk.stages[0].source.path: may only use {stage} and {component}',
    ],
    [
      { values: {} },
      'stageflow.flows.trunk.stages[0].source.values: must name at least one of tag, digest, revision',
    ],
    [
      { values: { tag: 'image..tag' } },
      'stageflow.flows.trunk.stages[0].source.values.tag: must be a dotted path of keys, e.g. image.tag',
    ],
    [
      { repository: 'gitops' },
      'stageflow.flows.trunk.stages[0].source.repository: must be a git URL or host/owner/repo on a configured GitHub host',
    ],
    [{ via: 'email' }, 'stageflow.flows.trunk.stages[0].source.via'],
  ])('names the key of a bad GitOps source (%#)', (change, message) => {
    const source = {
      type: 'gitops',
      repository: 'https://git.acme.example/acme/gitops.git',
      path: 'values-{stage}.yaml',
      values: { revision: 'spec.source.targetRevision' },
      ...change,
    };
    expect(() =>
      readStageflowConfig(
        new ConfigReader({
          stageflow: {
            flows: {
              trunk: {
                ...trunk,
                stages: [{ name: 'live', image: '{image}', source }],
              },
            },
          },
        }),
      ),
    ).toThrow(`Invalid config at ${message}`);
  });

  it('names the key of an unknown default flow', () => {
    expect(() =>
      readStageflowConfig(
        new ConfigReader({ stageflow: { defaultFlow: 'trunk' } }),
      ),
    ).toThrow(
      "Invalid config at stageflow.defaultFlow: unknown flow 'trunk', expected one of oneflow, gitflow",
    );
  });

  it.each([
    [
      { ...trunk, tagPattern: 'release' },
      'Invalid config at stageflow.flows.trunk.tagPattern: must contain {version} exactly once',
    ],
    [
      { ...trunk, candidateImage: '{image}:latest' },
      'Invalid config at stageflow.flows.trunk.candidateImage: must contain {sha}',
    ],
    [
      { ...trunk, stages: [{ name: 'QA', image: '{image}:qa' }] },
      'Invalid config at stageflow.flows.trunk.stages[0].name: must be lowercase letters, digits and dashes',
    ],
    [
      {
        ...trunk,
        stages: [trunk.stages[0], { ...trunk.stages[1], image: 'live' }],
      },
      'Invalid config at stageflow.flows.trunk.stages[1].image: must contain {image}',
    ],
    [
      { ...trunk, stages: [trunk.stages[0], trunk.stages[0]] },
      "Invalid config at stageflow.flows.trunk.stages: stage 'qa' is listed twice",
    ],
    [
      {
        ...trunk,
        stages: [
          trunk.stages[0],
          { ...trunk.stages[1], approval: { required: 0, from: 'owner' } },
        ],
      },
      'Invalid config at stageflow.flows.trunk.stages[1].approval.required: must be 1 or more',
    ],
    [
      {
        ...trunk,
        stages: [
          trunk.stages[0],
          {
            ...trunk.stages[1],
            freeze: [{ cron: 'every friday', duration: 'PT1H' }],
          },
        ],
      },
      /Invalid config at stageflow\.flows\.trunk\.stages\[1\]\.freeze\[0\]\.cron: is not a valid cron expression/,
    ],
    [
      {
        ...trunk,
        stages: [
          trunk.stages[0],
          {
            ...trunk.stages[1],
            freeze: [{ cron: '0 18 * * 5', duration: '60 hours' }],
          },
        ],
      },
      'Invalid config at stageflow.flows.trunk.stages[1].freeze[0].duration: must be a positive ISO 8601 duration such as PT48H',
    ],
  ])('names the key of a bad flow (%#)', (flow, message) => {
    expect(() =>
      readStageflowConfig(
        new ConfigReader({ stageflow: { flows: { trunk: flow } } }),
      ),
    ).toThrow(message);
  });
});
