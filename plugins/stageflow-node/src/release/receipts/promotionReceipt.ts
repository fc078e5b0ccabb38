import { createHash } from 'node:crypto';
import {
  ImageReference,
  formatImageReference,
} from '@stageflow/plugin-stageflow-common';
import { MEDIA_TYPES } from '../../registry/manifest';
import {
  ManifestDescriptor,
  ReferrerDescriptor,
  RegistryClient,
  WritableRegistryClient,
} from '../../registry/types';

/** The artifact type of a Stageflow promotion receipt. @public */
export const PROMOTION_RECEIPT_ARTIFACT_TYPE =
  'application/vnd.stageflow.promotion.receipt.v1+json';

const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  bytes: new TextEncoder().encode('{}'),
};

/**
 * The record of one promotion that ran, stored next to the image.
 *
 * @public
 */
export interface PromotionReceipt {
  entityRef: string;
  stage: string;
  version: string;
  tag: string;
  sha: string;
  digest: string;
  fromVersion?: string;
  fromDigest?: string;
  requester: string;
  approvers: string[];
  requestId?: string;
  taskId?: string;
  rollback?: boolean;
  tags: string[];
  promotedAt: string;
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The OCI 1.1 tag-schema fallback: `sha256-<hex>` names a digest's referrers.
 *
 * @public
 */
export function referrersTagOf(digest: string): string {
  return digest.replace(':', '-');
}

/**
 * Stores a receipt as an OCI 1.1 artifact whose `subject` is the promoted
 * manifest: an image manifest with `artifactType`, the empty config and the
 * receipt JSON as its one layer. A registry with the referrers API says so
 * (`OCI-Subject` on the manifest PUT, or a referrers answer); otherwise the
 * index under the `sha256-<hex>` tag is updated (read, add, write, re-read
 * until it holds the receipt, so a concurrent writer is not lost).
 *
 * @public
 */
export async function writePromotionReceipt(
  client: WritableRegistryClient,
  options: {
    repository: string;
    subject: ManifestDescriptor;
    receipt: PromotionReceipt;
  },
): Promise<ManifestDescriptor> {
  const { repository, subject, receipt } = options;
  const config = await client.putBlob(repository, EMPTY_CONFIG.bytes);
  const layerBytes = encode(receipt);
  const layer = await client.putBlob(repository, layerBytes);
  const annotations = {
    'org.opencontainers.image.created': receipt.promotedAt,
    'io.stageflow.promotion.stage': receipt.stage,
    'io.stageflow.promotion.version': receipt.version,
  };
  const manifestBytes = encode({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: PROMOTION_RECEIPT_ARTIFACT_TYPE,
    config: { mediaType: EMPTY_CONFIG.mediaType, ...config },
    layers: [
      {
        mediaType: PROMOTION_RECEIPT_ARTIFACT_TYPE,
        ...layer,
        annotations: {
          'org.opencontainers.image.title': 'receipt.json',
        },
      },
    ],
    subject: {
      mediaType: subject.mediaType,
      digest: subject.digest,
      size: subject.size,
    },
    annotations,
  });
  const ref: ImageReference = {
    registry: client.host,
    repository,
    digest: digestOf(manifestBytes),
  };
  const stored = await client.putManifest(
    ref,
    manifestBytes,
    MEDIA_TYPES.ociManifest,
  );
  if (await hasReferrersApi(client, repository, subject.digest)) {
    return stored;
  }
  const descriptor: ReferrerDescriptor = {
    mediaType: MEDIA_TYPES.ociManifest,
    digest: stored.digest,
    size: manifestBytes.length,
    artifactType: PROMOTION_RECEIPT_ARTIFACT_TYPE,
    annotations,
  };
  const fallback: ImageReference = {
    registry: client.host,
    repository,
    tag: referrersTagOf(subject.digest),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readFallbackIndex(client, fallback);
    if (current.some(d => d.digest === descriptor.digest)) {
      return stored;
    }
    await client.putManifest(
      fallback,
      encode({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [...current, descriptor],
      }),
      MEDIA_TYPES.ociIndex,
    );
  }
  throw new Error(
    `The referrers index ${formatImageReference(
      fallback,
    )} kept changing; the receipt ${stored.digest} is stored but not listed`,
  );
}

async function hasReferrersApi(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<boolean> {
  return client.listReferrers
    ? (await client.listReferrers(repository, digest)) !== undefined
    : false;
}

async function readFallbackIndex(
  client: RegistryClient,
  ref: ImageReference,
): Promise<ReferrerDescriptor[]> {
  if (!(await client.resolve(ref))) {
    return [];
  }
  const { manifest } = await client.getManifest(ref);
  return ((manifest.manifests as ReferrerDescriptor[] | undefined) ?? []).map(
    d => ({ ...d }),
  );
}

/**
 * The receipts stored for a digest, newest last: through the referrers API
 * where the registry has it, else the tag-schema fallback index.
 *
 * @public
 */
export async function readPromotionReceipts(
  client: WritableRegistryClient,
  repository: string,
  digest: string,
): Promise<PromotionReceipt[]> {
  const listed =
    (client.listReferrers
      ? await client.listReferrers(repository, digest)
      : undefined) ??
    (await readFallbackIndex(client, {
      registry: client.host,
      repository,
      tag: referrersTagOf(digest),
    }));
  const receipts: PromotionReceipt[] = [];
  for (const descriptor of listed) {
    if (descriptor.artifactType !== PROMOTION_RECEIPT_ARTIFACT_TYPE) {
      continue;
    }
    const { manifest } = await client.getManifest({
      registry: client.host,
      repository,
      digest: descriptor.digest,
    });
    const [layer] = manifest.layers as ManifestDescriptor[];
    const { stream } = await client.openBlob(repository, layer.digest);
    receipts.push(
      JSON.parse(await new Response(stream).text()) as PromotionReceipt,
    );
  }
  return receipts.sort((a, b) => a.promotedAt.localeCompare(b.promotedAt));
}
