import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  formatImageReference,
  stageflowImagePromotePermission,
} from '@stageflow/plugin-stageflow-common';
import { examples } from './promoteImage.examples';
import {
  StageflowActionDeps,
  audited,
  authorize,
  describePlan,
  executePromotion,
  findRelease,
  planPromotion,
  releasesOf,
  resolveTarget,
} from './shared';

/**
 * `stageflow:image:promote`: points a stage at the image already built for
 * a release (its candidate image), copying the manifest only: the digest
 * that runs is the one that was tested.
 *
 * @public
 */
export function createPromoteImageAction(deps: StageflowActionDeps) {
  return createTemplateAction({
    id: 'stageflow:image:promote',
    description:
      "Promotes a release's already-built candidate image to a stage of the component's flow, without rebuilding it",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().describe('The component, e.g. component:default/phippy'),
        stage: z =>
          z
            .string()
            .describe("The stage to promote to, one of the flow's stages"),
        version: z =>
          z
            .string()
            .optional()
            .describe('The release to promote (default: the latest release)'),
        allowDowngrade: z =>
          z
            .boolean()
            .optional()
            .describe('Allow a version older than what the stage runs'),
      },
      output: {
        digest: z => z.string().describe('The digest the stage now runs'),
        tags: z =>
          z.array(z.string()).describe('The image tags that were written'),
        previousDigest: z =>
          z.string().optional().describe('The digest the stage ran before'),
        version: z => z.string().describe('The version promoted'),
      },
    },
    async handler(ctx) {
      const { entityRef, stage, version, allowDowngrade } = ctx.input;
      const credentials = await ctx.getInitiatorCredentials();
      const target = await resolveTarget(deps, entityRef, credentials);
      await authorize(
        deps,
        stageflowImagePromotePermission,
        target.entityRef,
        credentials,
      );
      const releases = await releasesOf(deps, target);
      const release = findRelease(releases, version, 'version');
      const plan = await planPromotion(deps, target, {
        stage,
        release,
        releases,
        allowDowngrade,
      });
      ctx.logger.info(`Plan: ${describePlan(plan)}`);
      if (plan.previousDigest) {
        ctx.output('previousDigest', plan.previousDigest);
      }
      ctx.output('version', plan.version);
      if (ctx.isDryRun) {
        ctx.output('digest', plan.digest);
        ctx.output(
          'tags',
          plan.targets.map(t => formatImageReference(t)),
        );
        ctx.logger.info('Dry run: nothing was changed');
        return;
      }
      const result = await ctx.checkpoint({
        key: `stageflow-promote-${target.entityRef}-${plan.stage}-${plan.version}`,
        fn: () =>
          audited(
            deps,
            'image-promote',
            {
              entityRef: target.entityRef,
              stage: plan.stage,
              version: plan.version,
              digest: plan.digest,
            },
            () => executePromotion(deps, plan),
          ),
      });
      ctx.logger.info(
        `Promoted ${plan.version} to ${plan.stage}: ${result.tags.join(
          ', ',
        )} now point at ${result.digest}`,
      );
      ctx.output('digest', result.digest);
      ctx.output('tags', result.tags);
    },
  });
}
