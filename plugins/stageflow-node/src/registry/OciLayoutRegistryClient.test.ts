import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayoutRegistryClient } from './OciLayoutRegistryClient';
import { runRegistryContract } from '../testUtils/registry/registryContract';

runRegistryContract('OciLayoutRegistryClient', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stageflow-layout-'));
  return {
    client: new OciLayoutRegistryClient({
      host: 'demo.stageflow.local',
      path: dir,
    }),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
