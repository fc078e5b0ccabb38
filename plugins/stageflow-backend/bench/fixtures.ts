import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ImageReference } from '@stageflow/plugin-stageflow-common';
import {
  DistributionRegistryClient,
  pushImage,
} from '@stageflow/plugin-stageflow-node';
import { git } from '@stageflow/plugin-stageflow-node/testUtils';

const REVISION_LABEL = 'org.opencontainers.image.revision';
const CREATED = '2026-01-01T00:00:00Z';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const T0 = 1767225600; // 2026-01-01, fixed so that shas are the same every run

/** A Oneflow history: commits on `develop` (oldest first) and release tags. */
export interface OneflowRepository {
  path: string;
  commits: string[];
  /** Release tag -> commit sha. */
  releases: Record<string, string>;
  head: string;
}

const MESSAGES = [
  'chore: initial commit',
  'feat: landing page',
  'fix: typo in the footer',
  'feat: contact form',
  'fix: validate the e-mail field',
  'feat: search',
  'fix: search paging',
  'feat: newsletter sign-up',
  'feat: cookie banner',
  'chore: bump dependencies',
];

/** Release tags by commit number (1 = oldest); odd minors annotated. */
const RELEASES: Array<[tag: string, commit: number, annotated: boolean]> = [
  ['v1.0.0', 2, false],
  ['v1.1.0', 4, true],
  ['v1.2.0', 6, false],
  ['v1.3.0', 8, true],
];

function blob(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}`;
}

/**
 * A bare repository `phippy.git` with one long-lived branch `develop` of
 * ten conventional commits and the release tags v1.0.0 to v1.3.0.
 */
export async function createOneflowRepository(
  root: string,
): Promise<OneflowRepository> {
  const path = join(root, 'phippy.git');
  await git(root, ['init', '--quiet', '--bare', '-b', 'develop', path]);
  const lines: string[] = [];
  MESSAGES.forEach((message, index) => {
    const mark = index + 1;
    const who = `Ada Author <ada@example.com> ${T0 + mark * 3600} +0000`;
    lines.push(
      'commit refs/heads/develop',
      `mark :${mark}`,
      `author ${who}`,
      `committer ${who}`,
      blob(message),
      ...(mark > 1 ? [`from :${mark - 1}`] : []),
      `M 644 inline src/change-${mark}.txt`,
      blob(`change ${mark}\n`),
    );
  });
  for (const [tag, mark, annotated] of RELEASES) {
    if (annotated) {
      lines.push(
        `tag ${tag}`,
        `from :${mark}`,
        `tagger Rita Releaser <rita@example.com> ${
          T0 + mark * 3600 + 600
        } +0000`,
        blob(`Release ${tag}`),
      );
    } else {
      lines.push(`reset refs/tags/${tag}`, `from :${mark}`);
    }
  }
  lines.push('done', '');
  await git(path, ['fast-import', '--quiet', '--done'], lines.join('\n'));
  const commits = (await git(path, ['rev-list', '--reverse', 'develop'])).split(
    '\n',
  );
  const releases = Object.fromEntries(
    RELEASES.map(([tag, mark]) => [tag, commits[mark - 1]]),
  );
  return { path, commits, releases, head: commits[commits.length - 1] };
}

/** One small layer shared by every image: the registry stores it once. */
const LAYER = randomBytes(2048);

function imageOptions(sha: string) {
  return {
    layers: [LAYER],
    labels: { [REVISION_LABEL]: sha },
    created: CREATED,
  };
}

/**
 * The images Oneflow's CI publishes for `<image>`: a release candidate per
 * commit, `develop:latest` and `develop:<sha>` of the head, and
 * `stable:latest` / `stable:<tag>` promoted from the candidate of `stableTag`.
 * Identical inputs give identical manifests, so a promoted tag has the
 * candidate's digest, as a manifest copy would.
 */
export async function pushOneflowImages(
  client: DistributionRegistryClient,
  registry: string,
  path: string,
  repo: OneflowRepository,
  stableTag: string,
): Promise<number> {
  const ref = (repository: string, tag: string): ImageReference => ({
    registry,
    repository: `${path}/${repository}`,
    tag,
  });
  let pushed = 0;
  for (const sha of repo.commits) {
    await pushImage(client, ref('release-candidate', sha), imageOptions(sha));
    pushed += 1;
  }
  for (const tag of ['latest', repo.head]) {
    await pushImage(client, ref('develop', tag), imageOptions(repo.head));
    pushed += 1;
  }
  const stableSha = repo.releases[stableTag];
  for (const tag of ['latest', stableTag]) {
    await pushImage(client, ref('stable', tag), imageOptions(stableSha));
    pushed += 1;
  }
  return pushed;
}

async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}

async function send(url: string, init: RequestInit, expected: number) {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (res.status !== expected) {
    throw new Error(`${init.method} ${url}: ${res.status}, not ${expected}`);
  }
}

/**
 * Images of a 3-stage flow (`{image}:dev|int|prd`, candidates
 * `{image}:sha-<sha>`) for many image repositories: pushed once to
 * `<base>`, then linked into every repository by cross-repository blob
 * mounts and manifest PUTs (10 requests a repository, no blob bytes).
 */
export async function pushStagedImages(options: {
  client: DistributionRegistryClient;
  registryUrl: string;
  registry: string;
  base: string;
  repositories: string[];
  stages: Record<string, string>; // stage tag -> commit sha
  concurrency: number;
}): Promise<void> {
  const { client, registryUrl, registry, base } = options;
  const shas = [...new Set(Object.values(options.stages))];
  const manifests = new Map<string, Buffer>();
  for (const sha of shas) {
    await pushImage(
      client,
      { registry, repository: base, tag: `sha-${sha}` },
      imageOptions(sha),
    );
    const res = await fetch(`${registryUrl}/v2/${base}/manifests/sha-${sha}`, {
      headers: { accept: OCI_MANIFEST },
    });
    manifests.set(sha, Buffer.from(await res.arrayBuffer()));
  }
  const blobs = new Set<string>();
  for (const bytes of manifests.values()) {
    const manifest = JSON.parse(bytes.toString('utf8'));
    blobs.add(manifest.config.digest);
    for (const layer of manifest.layers) {
      blobs.add(layer.digest);
    }
  }
  await mapLimit(options.repositories, options.concurrency, async repo => {
    for (const digest of blobs) {
      await send(
        `${registryUrl}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${base}`,
        { method: 'POST' },
        201,
      );
    }
    const tags: Array<[string, string]> = [
      ...shas.map((sha): [string, string] => [`sha-${sha}`, sha]),
      ...Object.entries(options.stages),
    ];
    for (const [tag, sha] of tags) {
      await send(
        `${registryUrl}/v2/${repo}/manifests/${tag}`,
        {
          method: 'PUT',
          headers: { 'content-type': OCI_MANIFEST },
          body: manifests.get(sha)!,
        },
        201,
      );
    }
  });
}
