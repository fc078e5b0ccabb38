import { DistributionRegistryClient } from './DistributionRegistryClient';
import { pushImage } from './pushImage';
import { runRegistryContract } from '../testUtils/registry/registryContract';
import {
  startTestRegistry,
  TestRegistry,
} from '../testUtils/registry/registryServer';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startTestRegistry('token');
});
afterAll(() => registry.stop());

runRegistryContract(
  'DistributionRegistryClient, bearer token auth',
  async () => ({
    client: new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
      credentials: { username: registry.username, password: registry.password },
    }),
  }),
);

describe('DistributionRegistryClient token exchange', () => {
  it('asks for pull,push on the target and pull on the source of a mount, and reuses tokens per scope', async () => {
    const client = new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
      credentials: { username: registry.username, password: registry.password },
    });
    const src = {
      registry: registry.host,
      repository: 'scopes/rc',
      tag: 'abc',
    };
    await pushImage(client, src, { layers: [Buffer.from('layer')] });
    registry.tokenRequests.length = 0;
    await client.copy(src, [
      { registry: registry.host, repository: 'scopes/stable', tag: 'latest' },
    ]);
    await client.copy(src, [
      { registry: registry.host, repository: 'scopes/stable', tag: 'v1' },
    ]);
    const asked = registry.tokenRequests.map(s => [...s].sort().join(' '));
    expect(asked).toContain(
      'repository:scopes/rc:pull repository:scopes/stable:pull,push',
    );
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('reports credentials the token service refuses as an upstream refusal', async () => {
    const client = new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
      credentials: { username: 'stageflow', password: 'wrong-secret-42' },
    });
    const error = await client.listTags('acme/app').catch(e => e);
    expect(error).toMatchObject({ name: 'UpstreamError', statusCode: 502 });
    expect(error.message).toContain(
      `the token service refused the credentials configured for ${registry.host}`,
    );
    expect(error.message).not.toContain('wrong-secret-42');
  });
});
