import type { ImageReference } from '@stageflow/plugin-stageflow-common';
import { MEDIA_TYPES } from './manifest';
import type { ManifestDescriptor, RegistryBlobStore } from './types';

/** @public */
export interface PushImageOptions {
  /** Layer contents (tar bytes in a real image; any bytes for demo data). */
  layers: Uint8Array[];
  /** Config labels, e.g. `org.opencontainers.image.revision`. */
  labels?: Record<string, string>;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
  /** `oci` (default) or `docker` (schema2) media types. */
  format?: 'oci' | 'docker';
  /** ISO time written in the config; fixed input gives a stable digest. */
  created?: string;
  platform?: { os: string; architecture: string };
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

/**
 * Writes a single-platform image (layers, config, manifest) and tags it;
 * the same call works on a registry and on an OCI layout.
 *
 * @public
 */
export async function pushImage(
  store: RegistryBlobStore,
  ref: ImageReference,
  options: PushImageOptions,
): Promise<ManifestDescriptor> {
  const docker = options.format === 'docker';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = [];
  for (const data of options.layers) {
    layers.push({
      mediaType: docker ? MEDIA_TYPES.dockerLayer : MEDIA_TYPES.ociLayer,
      ...(await store.putBlob(ref.repository, data)),
    });
  }
  const config = json({
    ...platform,
    created: options.created ?? '1970-01-01T00:00:00Z',
    config: { Labels: options.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map(l => l.digest) },
    history: [],
  });
  const configBlob = await store.putBlob(ref.repository, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: {
      mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
      ...configBlob,
    },
    layers,
    ...(options.annotations && { annotations: options.annotations }),
  };
  return store.putManifest(ref, json(manifest), manifest.mediaType);
}

/**
 * Writes an index (OCI image index, or Docker manifest list for `docker`) over
 * manifests already stored in the same repository, and tags it.
 *
 * @public
 */
export async function pushIndex(
  store: RegistryBlobStore,
  ref: ImageReference,
  manifests: Array<
    ManifestDescriptor & { platform: { os: string; architecture: string } }
  >,
  options: {
    format?: 'oci' | 'docker';
    annotations?: Record<string, string>;
  } = {},
): Promise<ManifestDescriptor> {
  const mediaType =
    options.format === 'docker'
      ? MEDIA_TYPES.dockerManifestList
      : MEDIA_TYPES.ociIndex;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: manifests.map(m => ({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      platform: m.platform,
    })),
    ...(options.annotations && { annotations: options.annotations }),
  };
  return store.putManifest(ref, json(index), mediaType);
}
