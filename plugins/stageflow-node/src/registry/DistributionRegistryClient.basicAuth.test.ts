import { DistributionRegistryClient } from './DistributionRegistryClient';
import { runRegistryContract } from '../testUtils/registry/registryContract';
import {
  startTestRegistry,
  TestRegistry,
} from '../testUtils/registry/registryServer';

runRegistryContract(
  'DistributionRegistryClient, htpasswd basic auth',
  async () => {
    const registry = await startTestRegistry('basic');
    return {
      client: new DistributionRegistryClient({
        host: registry.host,
        url: registry.url,
        credentials: {
          username: registry.username,
          password: registry.password,
        },
      }),
      teardown: registry.stop,
    };
  },
);

describe('DistributionRegistryClient with basic auth refused', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry('basic');
  });
  afterAll(() => registry.stop());

  it.each([
    [
      'a wrong password',
      { username: 'stageflow', password: 'wrong-secret-42' },
    ],
    ['no credentials', undefined],
  ])(
    'reports %s as an upstream refusal, naming host and operation but no secret',
    async (_, credentials) => {
      const client = new DistributionRegistryClient({
        host: registry.host,
        url: registry.url,
        credentials,
      });
      const error = await client
        .resolve({ registry: registry.host, repository: 'acme/app', tag: 'v1' })
        .catch(e => e);
      expect(error).toMatchObject({ name: 'UpstreamError', statusCode: 502 });
      expect(error.message).toBe(
        `Registry ${registry.host} failed to resolve for acme/app: HTTP 401, check the credentials configured for ${registry.host} in stageflow.registries`,
      );
      expect(error.message).not.toContain('wrong-secret-42');
    },
  );
});
