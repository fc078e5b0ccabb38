// A shared suite run by several test files, so it exports what defines tests.
/* eslint-disable jest/no-export */
import { randomBytes } from 'node:crypto';
import type { ImageReference } from '@stageflow/plugin-stageflow-common';
import { pushImage, pushIndex } from '../../registry/pushImage';
import type { WritableRegistryClient } from '../../registry/types';

export interface ContractSubject {
  client: WritableRegistryClient;
  teardown?: () => Promise<void>;
}

const REVISION = 'org.opencontainers.image.revision';
const VERSION = 'org.opencontainers.image.version';

type Format = 'docker' | 'oci' | 'oci-index' | 'docker-list';

/**
 * The behaviour every RegistryClient owes the backend, run against each
 * implementation so that the demo layout and a real registry never drift.
 */
export function runRegistryContract(
  name: string,
  setup: () => Promise<ContractSubject>,
) {
  describe(`${name} (registry contract)`, () => {
    let subject: ContractSubject;
    let client: WritableRegistryClient;
    const ref = (
      repository: string,
      tag?: string,
      digest?: string,
    ): ImageReference => ({
      registry: client.host,
      repository,
      ...(tag && { tag }),
      ...(digest && { digest }),
    });
    const uniqueRepo = (base: string) =>
      `acme/${base}-${randomBytes(3).toString('hex')}`;

    async function pushFormat(repository: string, tag: string, format: Format) {
      const labels = { [REVISION]: 'abc123', [VERSION]: '1.2.3' };
      if (format === 'docker' || format === 'oci') {
        return pushImage(client, ref(repository, tag), {
          layers: [randomBytes(1024), randomBytes(2048)],
          labels,
          format,
        });
      }
      const inner = format === 'docker-list' ? 'docker' : 'oci';
      const platforms = [
        { os: 'linux', architecture: 'arm64' },
        { os: 'linux', architecture: 'amd64' },
      ];
      const children = [];
      for (const platform of platforms) {
        const m = await pushImage(client, ref(repository), {
          layers: [randomBytes(512)],
          labels: { ...labels, arch: platform.architecture },
          format: inner,
          platform,
        });
        children.push({ ...m, platform });
      }
      return pushIndex(client, ref(repository, tag), children, {
        format: inner,
      });
    }

    beforeAll(async () => {
      subject = await setup();
      client = subject.client;
    });

    afterAll(async () => {
      await subject?.teardown?.();
    });

    it('stores and reads back the exact manifest bytes', async () => {
      const repo = uniqueRepo('read');
      const pushed = await pushFormat(repo, 'v1', 'oci');
      const resolved = await client.resolve(ref(repo, 'v1'));
      expect(resolved).toEqual(pushed);
      const raw = await client.getManifest(ref(repo, 'v1'));
      expect(raw.descriptor).toEqual(pushed);
      const byDigest = await client.getManifest(
        ref(repo, undefined, pushed.digest),
      );
      expect(Buffer.from(byDigest.bytes).equals(Buffer.from(raw.bytes))).toBe(
        true,
      );
    });

    it('resolves a missing tag or repository to undefined and refuses to read it', async () => {
      const repo = uniqueRepo('missing');
      await pushFormat(repo, 'v1', 'oci');
      await expect(client.resolve(ref(repo, 'nope'))).resolves.toBeUndefined();
      await expect(
        client.resolve(ref(uniqueRepo('none'), 'v1')),
      ).resolves.toBeUndefined();
      await expect(client.getManifest(ref(repo, 'nope'))).rejects.toMatchObject(
        {
          name: 'NotFoundError',
        },
      );
    });

    it('lists tags', async () => {
      const repo = uniqueRepo('tags');
      const d = await pushFormat(repo, 'v1', 'oci');
      await client.putManifest(
        ref(repo, 'latest'),
        (
          await client.getManifest(ref(repo, 'v1'))
        ).bytes,
        d.mediaType,
      );
      await client.putManifest(
        ref(repo, 'abc123'),
        (
          await client.getManifest(ref(repo, 'v1'))
        ).bytes,
        d.mediaType,
      );
      expect((await client.listTags(repo)).sort()).toEqual([
        'abc123',
        'latest',
        'v1',
      ]);
      expect(await client.listTags(uniqueRepo('empty'))).toEqual([]);
    });

    it.each<Format>(['docker', 'oci'])(
      'reads revision and version labels of a %s image',
      async format => {
        const repo = uniqueRepo('labels');
        const pushed = await pushFormat(repo, 'v1', format);
        const info = await client.getImageConfig(ref(repo, 'v1'));
        expect(info).toMatchObject({
          digest: pushed.digest,
          revision: 'abc123',
          version: '1.2.3',
          created: '1970-01-01T00:00:00Z',
        });
        expect(info.configDigest).toMatch(/^sha256:/);
      },
    );

    it('reads the linux/amd64 image of an index', async () => {
      const repo = uniqueRepo('index');
      const pushed = await pushFormat(repo, 'v1', 'oci-index');
      const info = await client.getImageConfig(ref(repo, 'v1'));
      expect(info.digest).toBe(pushed.digest);
      expect(info.labels.arch).toBe('amd64');
      expect(info.revision).toBe('abc123');
    });

    it('prefers manifest annotations over config labels', async () => {
      const repo = uniqueRepo('annotations');
      await pushImage(client, ref(repo, 'v1'), {
        layers: [randomBytes(16)],
        labels: { [REVISION]: 'from-config' },
        annotations: { [REVISION]: 'from-manifest' },
      });
      expect((await client.getImageConfig(ref(repo, 'v1'))).revision).toBe(
        'from-manifest',
      );
    });

    it.each<Format>(['docker', 'oci', 'oci-index', 'docker-list'])(
      'promotes a %s image to other repositories and tags, digest unchanged, no layer bytes moved',
      async format => {
        const from = uniqueRepo('release-candidate');
        const to = uniqueRepo('stable');
        const pushed = await pushFormat(from, 'abc123', format);
        const original = await client.getManifest(ref(from, 'abc123'));

        const result = await client.copy(ref(from, 'abc123'), [
          ref(to, 'latest'),
          ref(to, 'v1.2.3'),
          ref(from, 'develop'),
        ]);
        expect(result).toEqual({
          digest: pushed.digest,
          written: [
            `${client.host}/${to}:latest`,
            `${client.host}/${to}:v1.2.3`,
            `${client.host}/${from}:develop`,
          ],
          unchanged: [],
          bytesUploaded: 0,
        });
        for (const target of [
          ref(to, 'latest'),
          ref(to, 'v1.2.3'),
          ref(from, 'develop'),
        ]) {
          const copied = await client.getManifest(target);
          expect(copied.descriptor).toEqual(original.descriptor);
          expect(
            Buffer.from(copied.bytes).equals(Buffer.from(original.bytes)),
          ).toBe(true);
        }
        expect((await client.getImageConfig(ref(to, 'latest'))).revision).toBe(
          'abc123',
        );

        const again = await client.copy(ref(from, 'abc123'), [
          ref(to, 'latest'),
          ref(to, 'v1.2.3'),
        ]);
        expect(again).toEqual({
          digest: pushed.digest,
          written: [],
          unchanged: [
            `${client.host}/${to}:latest`,
            `${client.host}/${to}:v1.2.3`,
          ],
          bytesUploaded: 0,
        });
      },
    );

    it('moves a tag that pointed at another image', async () => {
      const repo = uniqueRepo('move');
      const first = await pushFormat(repo, 'old', 'oci');
      const second = await pushFormat(repo, 'new', 'oci');
      await client.copy(ref(repo, 'old'), [ref(repo, 'stable')]);
      expect((await client.resolve(ref(repo, 'stable')))?.digest).toBe(
        first.digest,
      );
      const result = await client.copy(ref(repo, 'new'), [ref(repo, 'stable')]);
      expect(result.written).toEqual([`${client.host}/${repo}:stable`]);
      expect((await client.resolve(ref(repo, 'stable')))?.digest).toBe(
        second.digest,
      );
    });

    it('refuses a target on another registry before writing anything', async () => {
      const repo = uniqueRepo('foreign');
      await pushFormat(repo, 'v1', 'oci');
      await expect(
        client.copy(ref(repo, 'v1'), [
          { registry: 'elsewhere.example', repository: repo, tag: 'x' },
        ]),
      ).rejects.toThrow(/elsewhere\.example/);
      await expect(client.resolve(ref(repo, 'x'))).resolves.toBeUndefined();
    });
  });
}
