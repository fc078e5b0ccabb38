import { createHash } from 'node:crypto';
import type { ImageReference } from '@stageflow/plugin-stageflow-common';
import type { BlobDescriptor, ImageConfigInfo, RawManifest } from './types';

/** @public */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList:
    'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

// distribution 2.8.2 answers 400 (schema2) or 404 (OCI index) to a manifest
// request that does not list the manifest's media type.
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

const INDEX_TYPES: string[] = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
];
const FOREIGN_LAYER = /\.foreign\./;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

/**
 * Parses manifest bytes; the media type comes from the document when it says
 * it (schema2 always does, OCI should), else from the Content-Type served.
 */
export function parseManifestBytes(
  bytes: Uint8Array,
  contentType?: string,
): { manifest: Record<string, unknown>; mediaType: string } {
  const manifest = JSON.parse(Buffer.from(bytes).toString('utf8'));
  if (!manifest || typeof manifest !== 'object') {
    throw new Error('manifest is not a JSON object');
  }
  let mediaType: string | undefined =
    typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined;
  if (!mediaType) {
    const served = contentType?.split(';')[0].trim();
    if (served && served !== 'application/json') {
      mediaType = served;
    } else {
      mediaType = Array.isArray(manifest.manifests)
        ? MEDIA_TYPES.ociIndex
        : MEDIA_TYPES.ociManifest;
    }
  }
  if (manifest.schemaVersion !== 2) {
    throw new Error(
      `manifest schemaVersion ${manifest.schemaVersion} is not supported (only 2)`,
    );
  }
  return { manifest, mediaType };
}

export function childManifests(raw: RawManifest): Descriptor[] {
  if (!isIndexMediaType(raw.descriptor.mediaType)) {
    return [];
  }
  return (raw.manifest.manifests as Descriptor[] | undefined) ?? [];
}

/** The blobs an image manifest needs in its repository; foreign layers live elsewhere. */
export function manifestBlobs(raw: RawManifest): BlobDescriptor[] {
  if (isIndexMediaType(raw.descriptor.mediaType)) {
    return [];
  }
  const config = raw.manifest.config as Descriptor | undefined;
  const layers = (raw.manifest.layers as Descriptor[] | undefined) ?? [];
  return [...(config ? [config] : []), ...layers]
    .filter(d => !FOREIGN_LAYER.test(d.mediaType ?? ''))
    .map(d => ({ digest: d.digest, size: d.size }));
}

export function pickPlatformManifest(raw: RawManifest): Descriptor | undefined {
  const children = childManifests(raw);
  return (
    children.find(
      c => c.platform?.os === 'linux' && c.platform?.architecture === 'amd64',
    ) ?? children[0]
  );
}

/** What reading the image config needs from a client. */
export interface ImageReader {
  getManifest(ref: ImageReference): Promise<RawManifest>;
  readBlob(repository: string, digest: string): Promise<Uint8Array>;
}

/**
 * Reads the labels of an image: config `Labels`, overridden by manifest
 * annotations, which are what OCI tooling writes first.
 */
export async function readImageConfigInfo(
  reader: ImageReader,
  ref: ImageReference,
): Promise<ImageConfigInfo> {
  const top = await reader.getManifest(ref);
  let image = top;
  if (isIndexMediaType(top.descriptor.mediaType)) {
    const child = pickPlatformManifest(top);
    if (!child) {
      throw new Error(`index ${top.descriptor.digest} lists no manifest`);
    }
    image = await reader.getManifest({
      registry: ref.registry,
      repository: ref.repository,
      digest: child.digest,
    });
  }
  const configDescriptor = image.manifest.config as Descriptor | undefined;
  if (!configDescriptor?.digest) {
    throw new Error(`manifest ${image.descriptor.digest} has no config`);
  }
  const configBytes = await reader.readBlob(
    ref.repository,
    configDescriptor.digest,
  );
  const config = JSON.parse(Buffer.from(configBytes).toString('utf8'));
  const labels: Record<string, string> = {
    ...(config?.config?.Labels ?? {}),
    ...((top.manifest.annotations as Record<string, string>) ?? {}),
    ...(image !== top
      ? (image.manifest.annotations as Record<string, string>) ?? {}
      : {}),
  };
  return {
    digest: top.descriptor.digest,
    configDigest: configDescriptor.digest,
    revision: labels['org.opencontainers.image.revision'],
    version: labels['org.opencontainers.image.version'],
    created:
      labels['org.opencontainers.image.created'] ??
      (typeof config?.created === 'string' ? config.created : undefined),
    labels,
  };
}
