import {
  FlowStage,
  GitopsStageSource,
  ImageReference,
  Release,
  StageInfo,
  StagePin,
  formatImageReference,
  parseImageReference,
} from '@stageflow/plugin-stageflow-common';
import { ComponentTarget } from '../../flows';
import { StageflowFacts } from '../StageflowFacts';
import { StageObservation } from '../stageObservation';
import { gitopsFilePath, gitopsLocator } from './gitopsLocations';
import { readPinValues } from './pinValues';

/** A stage whose version is pinned in a GitOps repository. */
export type GitopsStage = FlowStage & { source: GitopsStageSource };

const DIGEST_PATTERN = /^sha(256:[0-9a-f]{64}|512:[0-9a-f]{128})$/;

/** Whether a stage reads its version from a GitOps repository. */
export function isGitopsStage(stage: FlowStage): stage is GitopsStage {
  return stage.source?.type === 'gitops';
}

/**
 * The image a pin names: the component's image base with the pinned tag
 * and digest. What the file says is untrusted: a tag or digest that is no
 * valid reference is an error naming the file.
 */
export function pinnedImage(
  target: ComponentTarget,
  values: StagePin['values'],
  file: string,
): ImageReference | undefined {
  if (!values.tag && !values.digest) {
    return undefined;
  }
  if (values.digest && !DIGEST_PATTERN.test(values.digest)) {
    throw new Error(
      `${file} pins digest '${values.digest}', which is no image digest (sha256:<64 hex>)`,
    );
  }
  try {
    const ref = parseImageReference(
      values.tag ? `${target.image}:${values.tag}` : target.image,
    );
    return { ...ref, ...(values.digest ? { digest: values.digest } : {}) };
  } catch (error) {
    throw new Error(
      `${file} pins tag '${values.tag}', which is no image tag: ${
        (error as Error).message
      }`,
    );
  }
}

/** The pin file of a stage at the head of its branch. */
export async function readGitopsFile(
  facts: StageflowFacts,
  target: ComponentTarget,
  stage: GitopsStage,
): Promise<{ path: string; commit: string; text?: string }> {
  const { source } = stage;
  const locator = gitopsLocator(source);
  const path = gitopsFilePath(source, {
    stage: stage.name,
    entityRef: target.entityRef,
  });
  const commit = await facts.branchHead(locator, source.branch);
  return { path, commit, text: await facts.fileAt(locator, commit, path) };
}

/**
 * What a GitOps stage runs: the pin file at the branch head, its values,
 * the image they name and its revision (image label, else the pinned git
 * revision, else the candidate image with that digest). A file or key that
 * is absent is a `missing` stage naming it.
 */
export async function observeGitopsStage(options: {
  facts: StageflowFacts;
  target: ComponentTarget;
  stage: GitopsStage;
  releases: Release[];
  findRevisionByDigest(digest: string): Promise<string | undefined>;
}): Promise<StageObservation | StageInfo> {
  const { facts, target, stage, releases } = options;
  const { source } = stage;
  const file = await readGitopsFile(facts, target, stage);
  const where = `${file.path} in ${source.repository} (branch ${source.branch})`;
  const missing = (message: string): StageInfo => ({
    name: stage.name,
    image: target.image,
    status: 'missing',
    message,
  });
  if (file.text === undefined) {
    return missing(`${where} does not exist`);
  }
  const read = readPinValues(file.text, source.values, file.path);
  if (read.missing.length) {
    return missing(`${where} has no ${read.missing.join(', ')}`);
  }
  const pin: StagePin = {
    repository: source.repository,
    path: file.path,
    branch: source.branch,
    commit: file.commit,
    values: read.values,
  };
  const ref = pinnedImage(target, read.values, file.path);
  const image = ref ? formatImageReference(ref) : target.image;
  let digest: string | undefined;
  if (ref) {
    const descriptor = await facts.resolveImage(ref);
    if (!descriptor) {
      return {
        ...missing(`Image ${image}, pinned in ${where}, does not exist`),
        image,
        pin,
      };
    }
    digest = descriptor.digest;
  }
  const config =
    ref && digest ? await facts.imageConfig(ref, digest) : undefined;
  const revision =
    config?.revision ??
    (read.values.revision
      ? await revisionOf(facts, target, releases, read.values.revision)
      : undefined) ??
    (digest ? await options.findRevisionByDigest(digest) : undefined);
  return {
    info: {
      name: stage.name,
      image,
      ...(digest ? { digest } : {}),
      ...(config?.created ? { createdAt: config.created } : {}),
      status: 'ok',
      pin,
    },
    ...(revision ? { revision } : {}),
    ...(config?.version ? { labelVersion: config.version } : {}),
  };
}

/** A pinned git revision: a release (by tag or version), else a commit. */
async function revisionOf(
  facts: StageflowFacts,
  target: ComponentTarget,
  releases: Release[],
  revision: string,
): Promise<string | undefined> {
  const release = releases.find(
    r => r.tag === revision || r.version === revision,
  );
  if (release) {
    return release.sha;
  }
  if (!target.repository) {
    return undefined;
  }
  try {
    return (await facts.repository(target.repository).resolveCommit(revision))
      .sha;
  } catch (error) {
    if (
      (error as Error)?.name === 'NotFoundError' ||
      (error as Error)?.name === 'InputError'
    ) {
      return undefined;
    }
    throw error;
  }
}
