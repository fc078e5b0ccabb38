import type { ImageReference } from '@stageflow/plugin-stageflow-common';

/**
 * A manifest as the registry stores it.
 *
 * @public
 */
export interface ManifestDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

/** @public */
export interface RawManifest {
  descriptor: ManifestDescriptor;
  /** The exact bytes, so that a copy keeps the digest. */
  bytes: Uint8Array;
  manifest: Record<string, unknown>;
}

/**
 * Facts read from an image config (for an index, from the linux/amd64 image
 * or else the first one).
 *
 * @public
 */
export interface ImageConfigInfo {
  /** Digest of the manifest the reference resolved to. */
  digest: string;
  configDigest: string;
  revision?: string;
  version?: string;
  created?: string;
  labels: Record<string, string>;
}

/** @public */
export interface CopyResult {
  digest: string;
  /** Targets written. */
  written: string[];
  /** Targets that already had the digest. */
  unchanged: string[];
  /** Layer bytes uploaded (0 when every blob was mounted or present). */
  bytesUploaded: number;
}

/**
 * Operations on the images of one registry host, the same for the
 * distribution API and an OCI image layout directory.
 *
 * @public
 */
export interface RegistryClient {
  listTags(repository: string): Promise<string[]>;
  /** The manifest a tag or digest points at; undefined when it does not exist. */
  resolve(ref: ImageReference): Promise<ManifestDescriptor | undefined>;
  getManifest(ref: ImageReference): Promise<RawManifest>;
  /**
   * The config of the image `ref` names. `manifest`: the manifest
   * `ref.digest` names, when the caller read it already (it is not asked
   * for again).
   */
  getImageConfig(
    ref: ImageReference,
    manifest?: RawManifest,
  ): Promise<ImageConfigInfo>;
  /** Points every target at the manifest of source without moving layer bytes where avoidable. */
  copy(source: ImageReference, targets: ImageReference[]): Promise<CopyResult>;
  /**
   * The OCI 1.1 referrers API: the manifests whose `subject` is `digest`,
   * or undefined when the registry has no referrers API (clients then use
   * the `sha256-<hex>` tag schema).
   */
  listReferrers?(
    repository: string,
    digest: string,
  ): Promise<ReferrerDescriptor[] | undefined>;
}

/**
 * A manifest that refers to another (an entry of a referrers index).
 *
 * @public
 */
export interface ReferrerDescriptor extends ManifestDescriptor {
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * Hands out the client of a registry host that config names; refuses any other.
 *
 * @public
 */
export interface RegistryService {
  forHost(host: string): RegistryClient;
}

/** @public */
export interface BlobDescriptor {
  digest: string;
  size: number;
}

/**
 * Blob and manifest writes, the part of a registry that promotion across
 * registries and the demo data generator need.
 *
 * @public
 */
export interface RegistryBlobStore {
  /** The registry host this store serves, as in image references. */
  readonly host: string;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  openBlob(
    repository: string,
    digest: string,
  ): Promise<{ stream: ReadableStream<Uint8Array>; size: number }>;
  /** Stores bytes as a blob; nothing is sent when the blob is already there. */
  putBlob(repository: string, data: Uint8Array): Promise<BlobDescriptor>;
  /** Streams a blob of known digest and size; returns the bytes sent. */
  putBlobStream(
    repository: string,
    blob: BlobDescriptor,
    stream: ReadableStream<Uint8Array>,
  ): Promise<number>;
  /** Stores exact manifest bytes under `ref.tag`, or by digest when there is no tag. */
  putManifest(
    ref: ImageReference,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<ManifestDescriptor>;
}

/** @public */
export interface WritableRegistryClient
  extends RegistryClient,
    RegistryBlobStore {}
