import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { GitRepository } from '../git';
import { RegistryClient } from '../registry';
import { randomUUID } from 'node:crypto';
import { LastKnownGood, StaleMarks, UpstreamError } from '../resilience';
import { StageflowFacts } from './StageflowFacts';

const locator = { type: 'git' as const, url: 'https://git.acme.example/a.git' };
const sha = (c: string) => c.repeat(40);

function redisCache() {
  return CacheManager.fromConfig(
    new ConfigReader({
      backend: {
        cache: { store: 'redis', connection: 'redis://127.0.0.1:6379' },
      },
    }),
    { logger: mockServices.logger.mock() },
  ).forPlugin(`stageflow-test-${randomUUID()}`);
}

function setup(ttlSeconds: number) {
  const repository = {
    listTags: jest.fn(async () => [
      { name: 'v1.0.0', sha: sha('a'), annotated: true },
      { name: 'v1.1.0', sha: sha('b'), annotated: false },
      { name: 'not-a-release', sha: sha('c'), annotated: false },
    ]),
    compare: jest.fn(async () => ({ aheadBy: 1, behindBy: 0, commits: [] })),
    resolveCommit: jest.fn(async () => ({ sha: sha('b'), message: 'x' })),
  } as unknown as GitRepository & Record<string, jest.Mock>;
  const registry = {
    resolve: jest.fn(async () => ({
      digest: `sha256:${'1'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 10,
    })),
    getManifest: jest.fn(async () => ({
      descriptor: {
        digest: `sha256:${'1'.repeat(64)}`,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 10,
      },
      bytes: new Uint8Array(10),
      manifest: {},
    })),
    getImageConfig: jest.fn(async () => ({
      digest: `sha256:${'1'.repeat(64)}`,
      configDigest: `sha256:${'2'.repeat(64)}`,
      revision: sha('b'),
      labels: {},
    })),
  } as unknown as RegistryClient & Record<string, jest.Mock>;
  const facts = new StageflowFacts({
    cache: redisCache(),
    git: { getRepository: () => repository },
    registry: { forHost: () => registry },
    ttlSeconds,
  });
  return { facts, repository, registry };
}

const image = {
  registry: 'registry.acme.example',
  repository: 'acme/a',
  tag: 'latest',
};

describe('StageflowFacts on Redis', () => {
  it('shares one upstream call between concurrent requests', async () => {
    const { facts, repository } = setup(60);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => facts.releases(locator, 'v{version}')),
    );
    expect(repository.listTags).toHaveBeenCalledTimes(1);
    for (const releases of results) {
      expect(releases.map(r => r.tag)).toEqual(['v1.1.0', 'v1.0.0']);
    }
  });

  it('answers a moving fact from the cache until its TTL passes', async () => {
    const { facts, registry } = setup(1);
    await facts.resolveImage(image);
    await facts.resolveImage(image);
    expect(registry.resolve).toHaveBeenCalledTimes(1);
    await new Promise(resolve => setTimeout(resolve, 1500));
    await facts.resolveImage(image);
    expect(registry.resolve).toHaveBeenCalledTimes(2);
  });

  it("reads a stage tag's manifest with its first read, and asks HEAD once the tag was seen", async () => {
    const { facts, registry } = setup(1);
    const first = await facts.stageImage(image);
    expect(first.config?.revision).toBe(sha('b'));
    expect(registry.getManifest).toHaveBeenCalledTimes(1);
    expect(registry.resolve).not.toHaveBeenCalled();
    // The config read gets the manifest the tag's read fetched.
    expect(registry.getImageConfig).toHaveBeenCalledWith(
      { ...image, tag: undefined, digest: first.descriptor!.digest },
      expect.objectContaining({ descriptor: first.descriptor }),
    );
    await new Promise(resolve => setTimeout(resolve, 1500));
    const again = await facts.stageImage(image);
    expect(again).toEqual(first);
    expect(registry.getManifest).toHaveBeenCalledTimes(1);
    expect(registry.resolve).toHaveBeenCalledTimes(1);
    expect(registry.getImageConfig).toHaveBeenCalledTimes(1);
  });

  it('tells a missing stage tag by HEAD when its first read fails', async () => {
    const { facts, registry } = setup(60);
    (registry.getManifest as jest.Mock).mockRejectedValueOnce(
      new Error('not found'),
    );
    (registry.resolve as jest.Mock).mockResolvedValueOnce(undefined);
    expect(await facts.stageImage(image)).toEqual({});
    expect(registry.getImageConfig).not.toHaveBeenCalled();
  });

  it('keeps immutable facts after the TTL', async () => {
    const { facts, registry, repository } = setup(1);
    const digest = `sha256:${'1'.repeat(64)}`;
    await facts.imageConfig(image, digest);
    await facts.compare(locator, sha('a'), sha('b'));
    await new Promise(resolve => setTimeout(resolve, 1500));
    expect((await facts.imageConfig(image, digest)).revision).toBe(sha('b'));
    await facts.compare(locator, sha('a'), sha('b'));
    expect(registry.getImageConfig).toHaveBeenCalledTimes(1);
    expect(repository.compare).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failure', async () => {
    const { facts, repository } = setup(60);
    (repository.listTags as jest.Mock).mockRejectedValueOnce(
      new Error('upstream down'),
    );
    await expect(facts.releases(locator, 'v{version}')).rejects.toThrow(
      'upstream down',
    );
    await expect(facts.releases(locator, 'v{version}')).resolves.toHaveLength(
      2,
    );
  });

  it('forgets what a write changed, on every replica sharing the cache', async () => {
    const cache = redisCache();
    const replica = () => {
      const { repository, registry } = setup(60);
      return {
        facts: new StageflowFacts({
          cache,
          git: { getRepository: () => repository },
          registry: { forHost: () => registry },
          ttlSeconds: 60,
        }),
        repository,
        registry,
      };
    };
    const a = replica();
    const b = replica();
    await b.facts.releases(locator, 'v{version}');
    await b.facts.resolveImage(image);
    // Replica A writes, and forgets; replica B reads the upstream again.
    await a.facts.forget({
      repository: locator,
      tagPattern: 'v{version}',
      images: [image],
    });
    await b.facts.releases(locator, 'v{version}');
    await b.facts.resolveImage(image);
    expect(b.repository.listTags).toHaveBeenCalledTimes(2);
    expect(b.registry.resolve).toHaveBeenCalledTimes(2);
  });

  it('does not let a read that started before a write put its answer back', async () => {
    const { facts, registry } = setup(60);
    let release: () => void = () => {};
    (registry.resolve as jest.Mock).mockImplementationOnce(
      () =>
        new Promise(resolve => {
          release = () =>
            resolve({
              digest: `sha256:${'0'.repeat(64)}`,
              mediaType: 'x',
              size: 1,
            });
        }),
    );
    const stale = facts.resolveImage(image);
    await new Promise(r => setTimeout(r, 50));
    await facts.forget({ images: [image] });
    release();
    expect((await stale)?.digest).toBe(`sha256:${'0'.repeat(64)}`);
    expect((await facts.resolveImage(image))?.digest).toBe(
      `sha256:${'1'.repeat(64)}`,
    );
  });
});

describe('StageflowFacts with the last known good state', () => {
  const down = () =>
    new UpstreamError({
      kind: 'git',
      host: 'git.acme.example',
      operation: 'list tags',
      noResponse: 'connection refused',
    });

  function withLastKnown(ttlSeconds: number) {
    const { repository, registry } = setup(ttlSeconds);
    const cache = redisCache();
    const facts = new StageflowFacts({
      cache,
      git: { getRepository: () => repository },
      registry: { forHost: () => registry },
      ttlSeconds,
      lastKnown: new LastKnownGood({ cache }),
    });
    return { facts, repository, registry };
  }

  it('answers a read from the last known releases, marked stale, while the git host is down', async () => {
    const { facts, repository } = withLastKnown(0);
    const fresh = new StaleMarks();
    await facts.releases(locator, 'v{version}', { stale: fresh });
    expect(fresh.oldest()).toBeUndefined();

    (repository.listTags as jest.Mock).mockRejectedValue(down());
    const stale = new StaleMarks();
    const releases = await facts.releases(locator, 'v{version}', { stale });
    expect(releases.map(r => r.tag)).toEqual(['v1.1.0', 'v1.0.0']);
    expect(stale.oldest()).toEqual({
      asOf: expect.any(String),
      reason: 'Git host git.acme.example not answering (connection refused)',
    });
    // A write's read (no stale marks collected) fails instead.
    await expect(facts.releases(locator, 'v{version}')).rejects.toThrow(
      UpstreamError,
    );
  });

  it('never serves the old value once the upstream answers again', async () => {
    const { facts, repository } = withLastKnown(60);
    await facts.releases(locator, 'v{version}', { stale: new StaleMarks() });
    await facts.forget({ repository: locator, tagPattern: 'v{version}' });
    (repository.listTags as jest.Mock).mockRejectedValueOnce(down());
    const during = new StaleMarks();
    await facts.releases(locator, 'v{version}', { stale: during });
    expect(during.oldest()).toBeDefined();

    // The stale answer was not kept as fresh: the next read asks again and
    // sees the new release.
    (repository.listTags as jest.Mock).mockResolvedValue([
      { name: 'v1.2.0', sha: sha('d'), annotated: false },
      { name: 'v1.1.0', sha: sha('b'), annotated: false },
    ]);
    const after = new StaleMarks();
    const releases = await facts.releases(locator, 'v{version}', {
      stale: after,
    });
    expect(releases.map(r => r.tag)).toEqual(['v1.2.0', 'v1.1.0']);
    expect(after.oldest()).toBeUndefined();
  });

  it('makes a write visible at once: forget drops the fresh value a read kept', async () => {
    const { facts, registry } = withLastKnown(60);
    await facts.resolveImage(image, { stale: new StaleMarks() });
    (registry.resolve as jest.Mock).mockResolvedValue({
      digest: `sha256:${'9'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 10,
    });
    await facts.forget({ images: [image] });
    const marks = new StaleMarks();
    expect((await facts.resolveImage(image, { stale: marks }))?.digest).toBe(
      `sha256:${'9'.repeat(64)}`,
    );
    expect(marks.oldest()).toBeUndefined();
  });

  it('keeps the facts apart: a failed branch head does not mark the image stale', async () => {
    const { facts, repository } = withLastKnown(0);
    (repository.resolveCommit as jest.Mock).mockRejectedValue(down());
    const marks = new StaleMarks();
    await expect(
      facts.branchHead(locator, 'develop', { stale: marks }),
    ).rejects.toThrow(UpstreamError);
    await facts.resolveImage(image, { stale: marks });
    expect(marks.oldest()).toBeUndefined();
  });
});
