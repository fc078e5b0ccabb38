import { InputError, NotFoundError } from '@backstage/errors';
import {
  formatImageReference,
  ImageReference,
} from '@stageflow/plugin-stageflow-common';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyManifestTree } from './copyImage';
import { registryUpstreamError } from './errors';
import {
  MEDIA_TYPES,
  manifestBlobs,
  childManifests,
  parseManifestBytes,
  readImageConfigInfo,
  sha256Digest,
} from './manifest';
import type {
  BlobDescriptor,
  CopyResult,
  ImageConfigInfo,
  ManifestDescriptor,
  RawManifest,
  WritableRegistryClient,
} from './types';

/** @public */
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** @public */
export interface OciLayoutRegistryClientOptions {
  /** The host image references use for this layout, e.g. `demo.stageflow.local`. */
  host: string;
  /** The layout directory (created on the first write when missing). */
  path: string;
}

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: IndexEntry[];
  [key: string]: unknown;
}

/**
 * The registry interface over one OCI image layout directory.
 *
 * @remarks
 * One layout holds every repository of the host: a tag is an `index.json`
 * entry whose `org.opencontainers.image.ref.name` is `<repository>:<tag>`
 * (e.g. `acme/phippy/stable:latest`), and all repositories share
 * `blobs/sha256/`, so a copy between repositories moves no bytes. skopeo
 * writes this form with `oci:<dir>:<repository>:<tag>`.
 *
 * @public
 */
export class OciLayoutRegistryClient implements WritableRegistryClient {
  readonly host: string;
  private readonly root: string;
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(options: OciLayoutRegistryClientOptions) {
    this.host = options.host;
    this.root = options.path;
  }

  async listTags(repository: string): Promise<string[]> {
    const prefix = `${repository}:`;
    return (await this.readIndex()).manifests
      .map(m => m.annotations?.[OCI_REF_NAME_ANNOTATION])
      .filter((n): n is string => !!n?.startsWith(prefix))
      .map(n => n.slice(prefix.length));
  }

  async resolve(ref: ImageReference): Promise<ManifestDescriptor | undefined> {
    this.checkHost(ref);
    if (ref.digest) {
      if (!(await this.hasBlob(ref.repository, ref.digest))) {
        return undefined;
      }
      return (await this.getManifest(ref)).descriptor;
    }
    const entry = await this.findEntry(ref);
    return (
      entry && {
        digest: entry.digest,
        mediaType: entry.mediaType,
        size: entry.size,
      }
    );
  }

  async getManifest(ref: ImageReference): Promise<RawManifest> {
    this.checkHost(ref);
    let digest = ref.digest;
    if (!digest) {
      digest = (await this.findEntry(ref))?.digest;
    }
    if (!digest || !(await this.hasBlob(ref.repository, digest))) {
      throw new NotFoundError(
        `No manifest ${formatImageReference(ref)} in the OCI layout of ${
          this.host
        }`,
      );
    }
    const bytes = await this.readBlob(ref.repository, digest);
    let parsed;
    try {
      parsed = parseManifestBytes(bytes);
    } catch (e) {
      throw registryUpstreamError(
        {
          host: this.host,
          operation: 'get manifest',
          repository: ref.repository,
        },
        `unreadable manifest ${digest}: ${(e as Error).message}`,
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
      // Blobs are shared by every repository of the layout.
      transfer: async () => 0,
    });
  }

  async hasBlob(_repository: string, digest: string): Promise<boolean> {
    try {
      await fs.access(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  async openBlob(
    repository: string,
    digest: string,
  ): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
    const path = this.blobPath(digest);
    let size: number;
    try {
      size = (await fs.stat(path)).size;
    } catch {
      throw new NotFoundError(
        `No blob ${digest} for ${repository} in the OCI layout of ${this.host}`,
      );
    }
    const stream = Readable.toWeb(
      createReadStream(path),
    ) as ReadableStream<Uint8Array>;
    return { stream, size };
  }

  async putBlob(
    _repository: string,
    data: Uint8Array,
  ): Promise<BlobDescriptor> {
    const blob = { digest: sha256Digest(data), size: data.length };
    if (!(await this.hasBlob(_repository, blob.digest))) {
      await this.writeAtomically(this.blobPath(blob.digest), data);
    }
    return blob;
  }

  async putBlobStream(
    _repository: string,
    blob: BlobDescriptor,
    stream: ReadableStream<Uint8Array>,
  ): Promise<number> {
    const target = this.blobPath(blob.digest);
    await fs.mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const hash = createHash('sha256');
    let sent = 0;
    try {
      await pipeline(
        Readable.fromWeb(stream as any),
        async function* count(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            sent += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp) as Writable,
      );
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== blob.digest) {
        throw new InputError(
          `Blob content is ${digest}, expected ${blob.digest}`,
        );
      }
      await fs.rename(temp, target);
    } finally {
      await fs.rm(temp, { force: true });
    }
    return sent;
  }

  async putManifest(
    ref: ImageReference,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<ManifestDescriptor> {
    this.checkHost(ref);
    const descriptor = {
      digest: sha256Digest(bytes),
      mediaType,
      size: bytes.length,
    };
    const raw: RawManifest = {
      descriptor,
      bytes,
      manifest: parseManifestBytes(bytes, mediaType).manifest,
    };
    // Like a registry, refuse a manifest whose content is not there yet.
    const needed = [...manifestBlobs(raw), ...childManifests(raw)];
    for (const blob of needed) {
      if (!(await this.hasBlob(ref.repository, blob.digest))) {
        throw new InputError(
          `Cannot store ${formatImageReference(ref)}: blob ${
            blob.digest
          } is not in the layout`,
        );
      }
    }
    await this.putBlob(ref.repository, bytes);
    if (ref.tag) {
      await this.updateIndex(index => {
        const name = `${ref.repository}:${ref.tag}`;
        index.manifests = index.manifests.filter(
          m => m.annotations?.[OCI_REF_NAME_ANNOTATION] !== name,
        );
        index.manifests.push({
          ...descriptor,
          annotations: { [OCI_REF_NAME_ANNOTATION]: name },
        });
      });
    }
    return descriptor;
  }

  private async findEntry(
    ref: ImageReference,
  ): Promise<IndexEntry | undefined> {
    const name = `${ref.repository}:${ref.tag}`;
    const manifests = (await this.readIndex()).manifests;
    // The last entry wins, as a later write of the same name does in skopeo.
    return manifests
      .filter(m => m.annotations?.[OCI_REF_NAME_ANNOTATION] === name)
      .pop();
  }

  private async readIndex(): Promise<LayoutIndex> {
    try {
      const index = JSON.parse(
        await fs.readFile(join(this.root, 'index.json'), 'utf8'),
      );
      return { ...index, manifests: index.manifests ?? [] };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return {
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociIndex,
          manifests: [],
        };
      }
      throw registryUpstreamError(
        { host: this.host, operation: 'read index.json' },
        `unreadable layout index: ${(e as Error).message}`,
      );
    }
  }

  /** Serialised in this process, atomic on disk (temp file + rename). */
  private async updateIndex(
    change: (index: LayoutIndex) => void,
  ): Promise<void> {
    const run = this.indexLock.then(async () => {
      const index = await this.readIndex();
      change(index);
      await fs.mkdir(this.root, { recursive: true });
      await this.writeAtomically(
        join(this.root, 'oci-layout'),
        Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })),
      );
      await this.writeAtomically(
        join(this.root, 'index.json'),
        Buffer.from(JSON.stringify(index)),
      );
    });
    this.indexLock = run.catch(() => undefined);
    await run;
  }

  private async writeAtomically(path: string, data: Uint8Array): Promise<void> {
    await fs.mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(temp, data);
    await fs.rename(temp, path);
  }

  private async readBlob(
    repository: string,
    digest: string,
  ): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(this.blobPath(digest));
    } catch {
      throw new NotFoundError(
        `No blob ${digest} for ${repository} in the OCI layout of ${this.host}`,
      );
    }
    if (sha256Digest(bytes) !== digest) {
      throw registryUpstreamError(
        { host: this.host, operation: 'read blob', repository },
        `blob content does not match ${digest}`,
      );
    }
    return bytes;
  }

  private blobPath(digest: string): string {
    const match = /^sha256:([a-f0-9]{64})$/.exec(digest);
    if (!match) {
      throw new InputError(`Unsupported digest ${digest} for an OCI layout`);
    }
    return join(this.root, 'blobs', 'sha256', match[1]);
  }

  private checkHost(ref: ImageReference) {
    if (ref.registry !== this.host) {
      throw new InputError(
        `Image ${formatImageReference(ref)} is not on registry ${this.host}`,
      );
    }
  }
}
