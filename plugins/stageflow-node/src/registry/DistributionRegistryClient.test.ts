import { DistributionRegistryClient } from './DistributionRegistryClient';
import { runRegistryContract } from './__testUtils__/registryContract';
import { startTestRegistry } from './__testUtils__/registryServer';

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
