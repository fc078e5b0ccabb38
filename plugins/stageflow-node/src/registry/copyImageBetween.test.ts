import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyImageBetween } from './copyImage';
import { DistributionRegistryClient } from './DistributionRegistryClient';
import { OciLayoutRegistryClient } from './OciLayoutRegistryClient';
import { pushImage, pushIndex } from './pushImage';
import {
  startTestRegistry,
  TestRegistry,
} from '../testUtils/registry/registryServer';

const run = promisify(execFile);

describe('promotion across registries', () => {
  let a: TestRegistry;
  let b: TestRegistry;
  let clientA: DistributionRegistryClient;
  let clientB: DistributionRegistryClient;
  let dir: string;
  let layout: OciLayoutRegistryClient;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestRegistry('none'),
      startTestRegistry('basic'),
    ]);
    clientA = new DistributionRegistryClient({ host: a.host, url: a.url });
    clientB = new DistributionRegistryClient({
      host: b.host,
      url: b.url,
      credentials: { username: b.username, password: b.password },
    });
    dir = mkdtempSync(join(tmpdir(), 'stageflow-layout-'));
    layout = new OciLayoutRegistryClient({
      host: 'demo.local',
      path: join(dir, 'layout'),
    });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams the blobs the target lacks and keeps the digest of an index', async () => {
    const src = {
      registry: a.host,
      repository: 'acme/app/release-candidate',
      tag: 'abc',
    };
    const layers = [randomBytes(64 * 1024), randomBytes(32 * 1024)];
    const children = [];
    for (const architecture of ['amd64', 'arm64']) {
      const platform = { os: 'linux', architecture };
      children.push({
        ...(await pushImage(
          clientA,
          { ...src, tag: undefined },
          { layers, platform, format: 'docker' },
        )),
        platform,
      });
    }
    const index = await pushIndex(clientA, src, children, { format: 'docker' });
    const targets = [
      { registry: b.host, repository: 'acme/app/stable', tag: 'latest' },
    ];

    const first = await copyImageBetween(
      { client: clientA, ref: src },
      { client: clientB, refs: targets },
    );
    expect(first.digest).toBe(index.digest);
    expect(first.written).toEqual([`${b.host}/acme/app/stable:latest`]);
    // Layers are shared by both children: sent once, plus two small configs.
    expect(first.bytesUploaded).toBeGreaterThan(96 * 1024);
    expect(first.bytesUploaded).toBeLessThan(97 * 1024);
    const copied = await clientB.getManifest(targets[0]);
    const original = await clientA.getManifest(src);
    expect(Buffer.from(copied.bytes).equals(Buffer.from(original.bytes))).toBe(
      true,
    );

    const second = await copyImageBetween(
      { client: clientA, ref: src },
      { client: clientB, refs: targets },
    );
    expect(second).toMatchObject({
      written: [],
      unchanged: targets.map(() => `${b.host}/acme/app/stable:latest`),
      bytesUploaded: 0,
    });
  });

  it('imports from an OCI layout into a registry and back', async () => {
    const src = {
      registry: 'demo.local',
      repository: 'acme/goldie',
      tag: 'v1',
    };
    const pushed = await pushImage(layout, src, {
      layers: [randomBytes(4096)],
      labels: { 'org.opencontainers.image.revision': 'f00d' },
    });
    const up = await copyImageBetween(
      { client: layout, ref: src },
      {
        client: clientA,
        refs: [{ registry: a.host, repository: 'acme/goldie', tag: 'v1' }],
      },
    );
    expect(up.digest).toBe(pushed.digest);
    expect(
      (
        await clientA.getImageConfig({
          registry: a.host,
          repository: 'acme/goldie',
          tag: 'v1',
        })
      ).revision,
    ).toBe('f00d');

    const down = await copyImageBetween(
      {
        client: clientA,
        ref: { registry: a.host, repository: 'acme/goldie', tag: 'v1' },
      },
      { client: layout, refs: [{ ...src, repository: 'acme/goldie/mirror' }] },
    );
    expect(down).toMatchObject({ digest: pushed.digest, bytesUploaded: 0 });
  });

  it('agrees with skopeo on digests both ways', async () => {
    const src = {
      registry: 'demo.local',
      repository: 'acme/phippy',
      tag: 'v2',
    };
    // skopeo reads only OCI media types from a layout's index.json.
    const pushed = await pushImage(layout, src, {
      layers: [randomBytes(2048)],
      format: 'oci',
    });
    await run('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${join(dir, 'layout')}:acme/phippy:v2`,
      `docker://${a.host}/acme/phippy:v2`,
    ]);
    const ref = { registry: a.host, repository: 'acme/phippy', tag: 'v2' };
    expect((await clientA.resolve(ref))?.digest).toBe(pushed.digest);

    await clientA.copy(ref, [
      { ...ref, repository: 'acme/phippy/stable', tag: 'latest' },
    ]);
    const skopeoLayout = join(dir, 'from-skopeo');
    await run('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      '--src-tls-verify=false',
      `docker://${a.host}/acme/phippy/stable:latest`,
      `oci:${skopeoLayout}:acme/phippy/stable:latest`,
    ]);
    const read = new OciLayoutRegistryClient({
      host: 'demo.local',
      path: skopeoLayout,
    });
    expect(await read.listTags('acme/phippy/stable')).toEqual(['latest']);
    const manifest = await read.getManifest({
      ...src,
      repository: 'acme/phippy/stable',
      tag: 'latest',
    });
    expect(manifest.descriptor.digest).toBe(pushed.digest);
  });
});
