import { ConflictError, InputError } from '@backstage/errors';
import {
  ImageReference,
  Release,
  formatImageReference,
  parseImageReference,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import semver from 'semver';
import { ComponentTarget } from '../flows';
import { RegistryService } from '../registry';
import { StageResolver } from './StageResolver';
import { StageflowFacts } from './StageflowFacts';
import {
  GitopsPromotion,
  planGitopsPromotion,
} from './gitops/planGitopsPromotion';
import { isGitopsStage } from './gitops/readGitopsPin';
import { gitopsLocator } from './gitops/gitopsLocations';

/** What a promotion of a version to a stage will do. */
export interface PromotionPlan {
  stage: string;
  version: string;
  tag: string;
  sha: string;
  /** The image the stage runs, whose digest the write is conditional on. */
  current: ImageReference;
  source: ImageReference;
  targets: ImageReference[];
  digest: string;
  previousDigest?: string;
  previousVersion?: string;
  /** GitOps stages: the pin change, instead of registry tags. */
  gitops?: GitopsPromotion;
}

/**
 * Plans a promotion: the candidate image of the release, the tags the
 * stage's promotion writes, and what the stage runs now, read as the card
 * reads it (revision label, else the digest of a candidate image). A
 * downgrade is a ConflictError unless allowed.
 */
export async function planPromotion(options: {
  target: ComponentTarget;
  stage: string;
  release: Release;
  releases: Release[];
  allowDowngrade?: boolean;
  registry: RegistryService;
  resolver: StageResolver;
  facts: StageflowFacts;
}): Promise<PromotionPlan> {
  const { target, release, releases } = options;
  const stage = target.flow.stages.find(s => s.name === options.stage);
  if (!stage) {
    throw new InputError(
      `Invalid input: stage must be one of ${target.flow.stages
        .map(s => s.name)
        .join(', ')} (flow ${target.flow.name}), got '${options.stage}'`,
    );
  }
  if (!isGitopsStage(stage) && !stage.promoteTo?.length) {
    throw new InputError(
      `Invalid input: stage ${stage.name} of flow ${target.flow.name} names no tags to promote to`,
    );
  }
  const values = {
    image: target.image,
    sha: release.sha,
    version: release.version,
    tag: release.tag,
  };
  const source = parseImageReference(
    renderFlowTemplate(target.flow.candidateImage, values),
  );
  const candidate = await options.registry
    .forHost(source.registry)
    .resolve(source);
  if (!candidate) {
    throw new InputError(
      `Invalid input: version ${
        release.version
      } has no candidate image: ${formatImageReference(source)} does not exist`,
    );
  }
  const targets = isGitopsStage(stage)
    ? [{ ...source, digest: candidate.digest }]
    : stage.promoteTo!.map(t =>
        parseImageReference(renderFlowTemplate(t, values)),
      );
  const current = parseImageReference(
    renderFlowTemplate(stage.image, { image: target.image }),
  );
  if (isGitopsStage(stage)) {
    // Read what the stage pins now, not what a cache remembers.
    await options.facts.forget({
      repository: gitopsLocator(stage.source),
      branches: [stage.source.branch],
    });
  }
  const running = await options.resolver.getStage(target, stage, releases);
  const previousVersion = running.tag
    ? releases.find(r => r.tag === running.tag)?.version
    : undefined;
  if (
    previousVersion &&
    semver.gt(previousVersion, release.version) &&
    !options.allowDowngrade
  ) {
    throw new ConflictError(
      `Stage ${stage.name} runs ${previousVersion}, newer than ${release.version}: set allowDowngrade to go back`,
    );
  }
  const gitops = isGitopsStage(stage)
    ? await planGitopsPromotion({
        facts: options.facts,
        target,
        stage,
        release,
        candidate: { ref: source, digest: candidate.digest },
        running,
        previousVersion,
      })
    : undefined;
  return {
    ...(gitops ? { gitops } : {}),
    stage: stage.name,
    version: release.version,
    tag: release.tag,
    sha: release.sha,
    current,
    source,
    targets,
    digest: candidate.digest,
    ...(running.digest ? { previousDigest: running.digest } : {}),
    ...(previousVersion ? { previousVersion } : {}),
  };
}

/** One line for the task log: old digest -> new digest on which tags. */
export function describePromotionPlan(plan: PromotionPlan): string {
  if (plan.gitops) {
    const { gitops } = plan;
    if (!gitops.diff) {
      return `keep ${plan.stage} on ${plan.version}: ${gitops.path} in ${gitops.repository} already pins ${plan.digest}`;
    }
    return `promote ${plan.version} to ${plan.stage}: ${
      plan.previousDigest ?? '(nothing)'
    } -> ${plan.digest}, pinned in ${gitops.path} of ${gitops.repository} by ${
      gitops.proposal
        ? `a pull request from ${gitops.proposal.branch} into ${gitops.branch}`
        : `a commit on ${gitops.branch}`
    }`;
  }
  return `promote ${plan.version} to ${plan.stage}: ${
    plan.previousDigest ?? '(nothing)'
  } -> ${plan.digest} on ${plan.targets
    .map(t => formatImageReference(t))
    .join(', ')}`;
}
