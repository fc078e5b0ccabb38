import { ConflictError } from '@backstage/errors';
import { formatImageReference } from '@stageflow/plugin-stageflow-common';
import { RegistryService } from '../registry';
import { PromotionPlan } from './planPromotion';
import { StageflowFacts } from './StageflowFacts';
import {
  GitopsPromotionResult,
  executeGitopsPromotion,
} from './gitops/executeGitopsPromotion';

/**
 * Writes the stage's tags, only if the stage still runs the digest the
 * plan saw (read from the registry, not the cache): a write made meanwhile
 * by anyone is a ConflictError naming what the stage runs now.
 */
export async function executePromotion(
  registry: RegistryService,
  plan: PromotionPlan,
  options: { facts?: StageflowFacts } = {},
): Promise<{ digest: string; tags: string[] } & GitopsPromotionResult> {
  if (plan.gitops) {
    if (!options.facts) {
      throw new Error('A GitOps promotion needs the facts to write through');
    }
    return {
      digest: plan.digest,
      tags: plan.targets.map(t => formatImageReference(t)),
      ...(await executeGitopsPromotion(options.facts, plan.gitops)),
    };
  }
  const now = await registry
    .forHost(plan.current.registry)
    .resolve(plan.current);
  if (now?.digest !== plan.previousDigest) {
    throw new ConflictError(
      `Stage ${plan.stage} changed while ${
        plan.version
      } was being promoted: ${formatImageReference(plan.current)} now runs ${
        now?.digest ?? 'nothing'
      }, the plan saw ${plan.previousDigest ?? 'nothing'}; try again`,
    );
  }
  const result = await registry
    .forHost(plan.source.registry)
    .copy(plan.source, plan.targets);
  if (result.digest !== plan.digest) {
    throw new ConflictError(
      `The candidate image changed during the promotion (${plan.digest} -> ${result.digest})`,
    );
  }
  return {
    digest: result.digest,
    tags: plan.targets.map(t => formatImageReference(t)),
  };
}
