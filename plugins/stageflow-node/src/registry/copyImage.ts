import { InputError } from '@backstage/errors';
import {
  formatImageReference,
  ImageReference,
} from '@stageflow/plugin-stageflow-common';
import { registryUpstreamError } from './errors';
import { childManifests, manifestBlobs } from './manifest';
import type {
  BlobDescriptor,
  CopyResult,
  RawManifest,
  RegistryClient,
  WritableRegistryClient,
} from './types';

/** Makes one blob present in a target repository; returns the bytes sent. */
export type BlobTransfer = (
  targetRepository: string,
  sourceRepository: string,
  blob: BlobDescriptor,
) => Promise<number>;

const BLOB_CONCURRENCY = 4;

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    },
  );
  await Promise.all(workers);
  return results;
}

/**
 * Points targets at the manifest of source: blobs first, then child manifests
 * of an index by digest, then the exact manifest bytes under each tag, so the
 * digest never changes. A target that already resolves to the digest is left
 * alone.
 */
export async function copyManifestTree(options: {
  source: RegistryClient;
  sourceRef: ImageReference;
  target: WritableRegistryClient;
  targets: ImageReference[];
  transfer: BlobTransfer;
  /** True when source and target share one blob store (same client). */
  sameStore: boolean;
}): Promise<CopyResult> {
  const { source, sourceRef, target, targets, transfer, sameStore } = options;
  for (const t of targets) {
    if (t.registry !== target.host) {
      throw new InputError(
        `Cannot copy to ${formatImageReference(t)}: this client serves ${
          target.host
        }`,
      );
    }
  }
  const raw = await source.getManifest(sourceRef);
  const digest = raw.descriptor.digest;
  const result: CopyResult = {
    digest,
    written: [],
    unchanged: [],
    bytesUploaded: 0,
  };
  const prepared = new Map<string, Promise<void>>();

  const ensureBlobs = async (repository: string, manifest: RawManifest) => {
    const sent = await mapLimited(
      manifestBlobs(manifest),
      BLOB_CONCURRENCY,
      blob => transfer(repository, sourceRef.repository, blob),
    );
    result.bytesUploaded += sent.reduce((a, b) => a + b, 0);
  };

  const ensureContent = async (
    repository: string,
    manifest: RawManifest,
  ): Promise<void> => {
    await ensureBlobs(repository, manifest);
    for (const child of childManifests(manifest)) {
      const childRef = {
        registry: target.host,
        repository,
        digest: child.digest,
      };
      if ((await target.resolve(childRef))?.digest === child.digest) {
        continue;
      }
      const childRaw = await source.getManifest({
        ...sourceRef,
        tag: undefined,
        digest: child.digest,
      });
      await ensureContent(repository, childRaw);
      await target.putManifest(
        childRef,
        childRaw.bytes,
        childRaw.descriptor.mediaType,
      );
    }
  };

  for (const t of targets) {
    if (t.digest && t.digest !== digest) {
      throw new InputError(
        `Cannot copy ${digest} to ${formatImageReference(
          t,
        )}: the target names another digest`,
      );
    }
    const ref: ImageReference = t.tag
      ? { registry: t.registry, repository: t.repository, tag: t.tag }
      : { registry: t.registry, repository: t.repository, digest };
    const label = formatImageReference(ref);
    if ((await target.resolve(ref))?.digest === digest) {
      result.unchanged.push(label);
      continue;
    }
    const inPlace = sameStore && t.repository === sourceRef.repository;
    if (!inPlace) {
      if (!prepared.has(t.repository)) {
        prepared.set(t.repository, ensureContent(t.repository, raw));
      }
      await prepared.get(t.repository);
    }
    const written = await target.putManifest(
      ref,
      raw.bytes,
      raw.descriptor.mediaType,
    );
    if (written.digest !== digest) {
      throw registryUpstreamError(
        { host: target.host, operation: 'copy', repository: t.repository },
        `stored ${label} as ${written.digest}, expected ${digest}`,
      );
    }
    result.written.push(label);
  }
  return result;
}

/**
 * Promotes an image from one registry to another: blobs the target lacks are
 * streamed through this process, never held in memory whole.
 *
 * @public
 */
export async function copyImageBetween(
  source: { client: WritableRegistryClient; ref: ImageReference },
  target: { client: WritableRegistryClient; refs: ImageReference[] },
): Promise<CopyResult> {
  return copyManifestTree({
    source: source.client,
    sourceRef: source.ref,
    target: target.client,
    targets: target.refs,
    sameStore: false,
    transfer: async (targetRepository, sourceRepository, blob) => {
      if (await target.client.hasBlob(targetRepository, blob.digest)) {
        return 0;
      }
      const { stream } = await source.client.openBlob(
        sourceRepository,
        blob.digest,
      );
      return target.client.putBlobStream(targetRepository, blob, stream);
    },
  });
}
