import { InputError } from '@backstage/errors';
import {
  formatImageReference,
  ImageReference,
} from '@stageflow/plugin-stageflow-common';
import { copyManifestTree } from './copyImage';
import { registryUpstreamError } from './errors';
import {
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  parseManifestBytes,
  readImageConfigInfo,
  sha256Digest,
} from './manifest';
import {
  RegistryCredentials,
  RegistryTransport,
  discard,
} from './RegistryTransport';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import type {
  BlobDescriptor,
  CopyResult,
  ImageConfigInfo,
  ManifestDescriptor,
  RawManifest,
  ReferrerDescriptor,
  WritableRegistryClient,
} from './types';

/** @public */
export interface DistributionRegistryClientOptions {
  /** Registry host as in image references, e.g. `ghcr.io` or `localhost:5000`. */
  host: string;
  /** Base URL of the API; defaults to `https://<host>`. */
  url?: string;
  credentials?: RegistryCredentials;
  /**
   * The host's resilience policy (timeouts, retries, rate limits, circuit
   * breaker), shared by every client of the host; by default one of its own
   * with the `stageflow.resilience` defaults.
   */
  policy?: UpstreamPolicy;
  /**
   * Timeout of a request that streams a blob body, which the signal covers
   * whole (default 10 minutes).
   */
  blobTimeoutMs?: number;
}

const pull = (repository: string) => `repository:${repository}:pull`;
const push = (repository: string) => `repository:${repository}:pull,push`;

function nextLink(header: string | null): string | undefined {
  return header?.match(/<([^>]+)>\s*;\s*rel="?next"?/)?.[1];
}

/**
 * A client of the OCI distribution API (Docker Hub, GHCR, Artifact Registry,
 * Harbor, Quay, ECR, CNCF distribution).
 *
 * @public
 */
export class DistributionRegistryClient implements WritableRegistryClient {
  readonly host: string;
  private readonly transport: RegistryTransport;
  private readonly blobTimeoutMs: number;

  constructor(options: DistributionRegistryClientOptions) {
    this.host = options.host;
    this.blobTimeoutMs = options.blobTimeoutMs ?? 600_000;
    this.transport = new RegistryTransport({
      host: options.host,
      baseUrl: options.url ?? `https://${options.host}`,
      credentials: options.credentials,
      policy:
        options.policy ??
        new UpstreamPolicy({
          kind: 'registry',
          host: options.host,
          options: DEFAULT_RESILIENCE,
        }),
    });
  }

  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (url) {
      const res = await this.transport.send({
        operation: 'list tags',
        repository,
        scopes: [pull(repository)],
        method: 'GET',
        url,
        accept: [404],
      });
      // A repository nothing was pushed to yet has no tags.
      if (res.status === 404) {
        discard(res);
        return [];
      }
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      url = nextLink(res.headers.get('link'));
    }
    return tags;
  }

  async resolve(ref: ImageReference): Promise<ManifestDescriptor | undefined> {
    this.checkHost(ref);
    const res = await this.transport.send({
      operation: 'resolve',
      repository: ref.repository,
      scopes: [pull(ref.repository)],
      method: 'HEAD',
      url: this.manifestPath(ref),
      headers: { accept: MANIFEST_ACCEPT },
      accept: [404],
    });
    if (res.status === 404) {
      return undefined;
    }
    const digest = res.headers.get('docker-content-digest');
    const mediaType = res.headers.get('content-type')?.split(';')[0];
    const size = Number(res.headers.get('content-length'));
    if (digest && mediaType && Number.isFinite(size)) {
      return { digest, mediaType, size };
    }
    // Some registries omit the digest on HEAD; the body tells it.
    return (await this.getManifest(ref)).descriptor;
  }

  async getManifest(ref: ImageReference): Promise<RawManifest> {
    this.checkHost(ref);
    const ctx = {
      host: this.host,
      operation: 'get manifest',
      repository: ref.repository,
    };
    const res = await this.transport.send({
      ...ctx,
      scopes: [pull(ref.repository)],
      method: 'GET',
      url: this.manifestPath(ref),
      headers: { accept: MANIFEST_ACCEPT },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    const claimed = ref.digest ?? res.headers.get('docker-content-digest');
    if (claimed && claimed !== digest) {
      throw registryUpstreamError(
        ctx,
        `manifest of ${formatImageReference(
          ref,
        )} has digest ${digest}, expected ${claimed}`,
      );
    }
    let parsed;
    try {
      parsed = parseManifestBytes(
        bytes,
        res.headers.get('content-type') ?? undefined,
      );
    } catch (e) {
      throw registryUpstreamError(
        ctx,
        `unreadable manifest: ${(e as Error).message}`,
      );
    }
    return {
      descriptor: { digest, mediaType: parsed.mediaType, size: bytes.length },
      bytes,
      manifest: parsed.manifest,
    };
  }

  async getImageConfig(
    ref: ImageReference,
    manifest?: RawManifest,
  ): Promise<ImageConfigInfo> {
    this.checkHost(ref);
    return readImageConfigInfo(
      {
        getManifest: r =>
          manifest &&
          r.repository === ref.repository &&
          r.digest === manifest.descriptor.digest
            ? Promise.resolve(manifest)
            : this.getManifest(r),
        readBlob: (repository, digest) => this.readBlob(repository, digest),
      },
      ref,
    );
  }

  async copy(
    source: ImageReference,
    targets: ImageReference[],
  ): Promise<CopyResult> {
    this.checkHost(source);
    return copyManifestTree({
      source: this,
      sourceRef: source,
      target: this,
      targets,
      sameStore: true,
      transfer: (to, from, blob) => this.mountOrCopyBlob(to, from, blob),
    });
  }

  async listReferrers(
    repository: string,
    digest: string,
  ): Promise<ReferrerDescriptor[] | undefined> {
    const res = await this.transport.send({
      operation: 'list referrers',
      repository,
      scopes: [pull(repository)],
      method: 'GET',
      url: `/v2/${repository}/referrers/${digest}`,
      headers: { accept: MEDIA_TYPES.ociIndex },
      // A registry without the API (distribution 2.x) does not know the route.
      accept: [400, 404, 405],
    });
    const type = res.headers.get('content-type')?.split(';')[0];
    if (res.status !== 200 || type !== MEDIA_TYPES.ociIndex) {
      discard(res);
      return undefined;
    }
    const body = (await res.json()) as { manifests?: ReferrerDescriptor[] };
    return body.manifests ?? [];
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.transport.send({
      operation: 'check blob',
      repository,
      scopes: [pull(repository)],
      method: 'HEAD',
      url: `/v2/${repository}/blobs/${digest}`,
      accept: [404],
    });
    return res.status !== 404;
  }

  async openBlob(
    repository: string,
    digest: string,
  ): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
    const res = await this.transport.send({
      operation: 'read blob',
      repository,
      timeoutMs: this.blobTimeoutMs,
      scopes: [pull(repository)],
      method: 'GET',
      url: `/v2/${repository}/blobs/${digest}`,
    });
    if (!res.body) {
      throw registryUpstreamError(
        { host: this.host, operation: 'read blob', repository },
        `blob ${digest} has no body`,
      );
    }
    return {
      stream: res.body,
      size: Number(res.headers.get('content-length')),
    };
  }

  async putBlob(repository: string, data: Uint8Array): Promise<BlobDescriptor> {
    const blob = { digest: sha256Digest(data), size: data.length };
    if (!(await this.hasBlob(repository, blob.digest))) {
      await this.upload(repository, blob, data);
    }
    return blob;
  }

  async putBlobStream(
    repository: string,
    blob: BlobDescriptor,
    stream: ReadableStream<Uint8Array>,
  ): Promise<number> {
    return this.upload(repository, blob, stream);
  }

  async putManifest(
    ref: ImageReference,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<ManifestDescriptor> {
    this.checkHost(ref);
    const digest = sha256Digest(bytes);
    const res = await this.transport.send({
      operation: 'put manifest',
      repository: ref.repository,
      scopes: [push(ref.repository)],
      method: 'PUT',
      url: `/v2/${ref.repository}/manifests/${ref.tag ?? ref.digest ?? digest}`,
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    discard(res);
    const stored = res.headers.get('docker-content-digest') ?? digest;
    return { digest: stored, mediaType, size: bytes.length };
  }

  private async readBlob(
    repository: string,
    digest: string,
  ): Promise<Uint8Array> {
    const { stream } = await this.openBlob(repository, digest);
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    if (sha256Digest(bytes) !== digest) {
      throw registryUpstreamError(
        { host: this.host, operation: 'read blob', repository },
        `blob content does not match ${digest}`,
      );
    }
    return bytes;
  }

  /**
   * Cross-repository mount: 201 means the registry linked the blob without
   * bytes; 202 means it refused and opened an upload session, which then
   * receives the blob streamed from the source repository.
   */
  private async mountOrCopyBlob(
    targetRepository: string,
    sourceRepository: string,
    blob: BlobDescriptor,
  ): Promise<number> {
    const query = new URLSearchParams({
      mount: blob.digest,
      from: sourceRepository,
    });
    const res = await this.transport.send({
      operation: 'mount blob',
      repository: targetRepository,
      scopes: [push(targetRepository), pull(sourceRepository)],
      method: 'POST',
      url: `/v2/${targetRepository}/blobs/uploads/?${query}`,
    });
    discard(res);
    if (res.status === 201) {
      return 0;
    }
    const location = this.uploadLocation(res, targetRepository);
    const { stream } = await this.openBlob(sourceRepository, blob.digest);
    return this.upload(targetRepository, blob, stream, location);
  }

  private uploadLocation(res: Response, repository: string): string {
    const location = res.headers.get('location');
    if (!location) {
      throw registryUpstreamError(
        {
          host: this.host,
          operation: 'start upload',
          repository,
          status: res.status,
        },
        'no upload location',
      );
    }
    return location;
  }

  /** Monolithic upload (POST then one PUT), counting the bytes sent. */
  private async upload(
    repository: string,
    blob: BlobDescriptor,
    data: Uint8Array | ReadableStream<Uint8Array>,
    location?: string,
  ): Promise<number> {
    let uploadUrl = location;
    if (!uploadUrl) {
      const start = await this.transport.send({
        operation: 'start upload',
        repository,
        scopes: [push(repository)],
        method: 'POST',
        url: `/v2/${repository}/blobs/uploads/`,
      });
      discard(start);
      uploadUrl = this.uploadLocation(start, repository);
    }
    const url = new URL(this.transport.resolveUrl(uploadUrl));
    url.searchParams.set('digest', blob.digest);
    let sent = 0;
    const body =
      data instanceof ReadableStream
        ? data.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                sent += chunk.length;
                controller.enqueue(chunk);
              },
            }),
          )
        : data;
    const res = await this.transport.send({
      operation: 'upload blob',
      repository,
      timeoutMs: this.blobTimeoutMs,
      scopes: [push(repository)],
      method: 'PUT',
      url: url.toString(),
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(blob.size),
      },
      body,
    });
    discard(res);
    return data instanceof ReadableStream ? sent : data.length;
  }

  private manifestPath(ref: ImageReference): string {
    const reference = ref.digest ?? ref.tag;
    if (!reference) {
      throw new InputError(
        `Image reference ${formatImageReference(
          ref,
        )} names neither a tag nor a digest`,
      );
    }
    return `/v2/${ref.repository}/manifests/${reference}`;
  }

  private checkHost(ref: ImageReference) {
    if (ref.registry !== this.host) {
      throw new InputError(
        `Image ${formatImageReference(ref)} is not on registry ${this.host}`,
      );
    }
  }
}
