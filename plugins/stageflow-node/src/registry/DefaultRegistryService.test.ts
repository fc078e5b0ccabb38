import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { readRegistryConfigs } from './config';
import {
  DefaultRegistryService,
  registryServiceRef,
} from './DefaultRegistryService';
import { DistributionRegistryClient } from './DistributionRegistryClient';
import { OciLayoutRegistryClient } from './OciLayoutRegistryClient';
import type { RegistryService } from './types';

const registries = [
  { host: 'ghcr.io', username: 'bot', password: 'ghp_secret' },
  { host: 'index.docker.io', username: 'acme', token: 'dckr_pat' },
  {
    host: 'demo.stageflow.local',
    type: 'oci-layout',
    path: '/tmp/demo-layout',
  },
];

describe('readRegistryConfigs', () => {
  it('reads hosts with defaults and normalises Docker Hub', () => {
    expect(
      readRegistryConfigs(new ConfigReader({ stageflow: { registries } })),
    ).toEqual([
      expect.objectContaining({
        host: 'ghcr.io',
        type: 'distribution',
        password: 'ghp_secret',
      }),
      expect.objectContaining({ host: 'docker.io', token: 'dckr_pat' }),
      expect.objectContaining({
        host: 'demo.stageflow.local',
        type: 'oci-layout',
        path: '/tmp/demo-layout',
      }),
    ]);
    expect(readRegistryConfigs(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    [
      [{ host: 'a.io', type: 'nexus' }],
      'Invalid config at stageflow.registries[0].type: must be distribution or oci-layout, got "nexus"',
    ],
    [
      [{ host: 'a.io', type: 'oci-layout' }],
      'Invalid config at stageflow.registries[0].path: host a.io of type oci-layout needs a path',
    ],
    [
      [{ host: 'a.io' }, { host: 'A.io' }],
      'Invalid config at stageflow.registries[1].host: host a.io is listed twice',
    ],
    [
      [{ type: 'distribution' }],
      'Invalid config at stageflow.registries[0].host:',
    ],
    [
      [{ host: 'a.io', passwd: 'x' }],
      'Invalid config at stageflow.registries[0].passwd: unknown key',
    ],
  ])('refuses a bad entry at start-up (%j)', (entries, message) => {
    expect(() =>
      readRegistryConfigs(
        new ConfigReader({ stageflow: { registries: entries } }),
      ),
    ).toThrow(message);
  });
});

describe('DefaultRegistryService', () => {
  it('builds one client per configured host and refuses any other host', () => {
    const service = DefaultRegistryService.fromConfig(
      new ConfigReader({ stageflow: { registries } }),
    );
    expect(service.forHost('ghcr.io')).toBeInstanceOf(
      DistributionRegistryClient,
    );
    expect(service.forHost('GHCR.io')).toBe(service.forHost('ghcr.io'));
    expect(service.forHost('docker.io')).toBe(
      service.forHost('index.docker.io'),
    );
    expect(service.forHost('demo.stageflow.local')).toBeInstanceOf(
      OciLayoutRegistryClient,
    );
    expect(() => service.forHost('169.254.169.254')).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          'Registry 169.254.169.254 is not configured in stageflow.registries; Stageflow contacts configured hosts only',
      }),
    );
  });

  it('is the default implementation of registryServiceRef', async () => {
    let captured: RegistryService | undefined;
    await startTestBackend({
      features: [
        mockServices.rootConfig.factory({
          data: { stageflow: { registries } },
        }),
        createBackendPlugin({
          pluginId: 'probe',
          register(env) {
            env.registerInit({
              deps: { registry: registryServiceRef },
              async init({ registry }) {
                captured = registry;
              },
            });
          },
        }),
      ],
    });
    expect(captured?.forHost('ghcr.io').resolve).toBeDefined();
    expect(() => captured?.forHost('evil.example')).toThrow(/not configured/);
  });
});
