import { DistributionRegistryClient } from './DistributionRegistryClient';
import { runRegistryContract } from '../testUtils/registry/registryContract';
import { startTestRegistry } from '../testUtils/registry/registryServer';

runRegistryContract('DistributionRegistryClient, no auth', async () => {
  const registry = await startTestRegistry('none');
  return {
    client: new DistributionRegistryClient({
      host: registry.host,
      url: registry.url,
    }),
    teardown: registry.stop,
  };
});
