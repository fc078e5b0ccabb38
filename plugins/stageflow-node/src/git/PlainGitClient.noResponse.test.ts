import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PlainGitClient } from './PlainGitClient';
import { UpstreamError } from '../resilience/UpstreamError';
import { makeTempDir } from '../testUtils/git/gitFixtures';

jest.setTimeout(60_000);

describe('PlainGitClient against a remote that does not answer', () => {
  it('says "no response (connection refused)", not a status', async () => {
    const temp = await makeTempDir('plain-refused');
    const server = createServer();
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise(r => server.close(r));
    try {
      const repository = new PlainGitClient({
        locator: { type: 'git', url: 'https://git.acme.test/demo.git' },
        remoteUrl: `http://127.0.0.1:${port}/demo.git`,
        cacheDir: join(temp.dir, 'cache'),
      });
      const error = await repository.listTags().catch(e => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({
        kind: 'git',
        noResponse: 'connection refused',
        status: undefined,
      });
      expect(error.message).toContain('no response (connection refused)');
    } finally {
      await temp.cleanup();
    }
  });
});
