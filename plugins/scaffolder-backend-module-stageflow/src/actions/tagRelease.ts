import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ReleaseService } from '@stageflow/plugin-stageflow-node';
import { examples } from './tagRelease.examples';
import { releaseTargetOf } from './releaseTargetOf';

/**
 * `stageflow:release:tag`: creates the annotated release tag of a commit,
 * with a version given or bumped from the latest release (conventional
 * commits for `auto`); never a version that exists or goes backwards, never
 * a second release of a released commit.
 *
 * @public
 */
export function createTagReleaseAction(options: {
  releaseService: ReleaseService;
}) {
  const { releaseService } = options;
  return createTemplateAction({
    id: 'stageflow:release:tag',
    description:
      "Tags a release of the component: an annotated tag in the flow's pattern on a commit of its release lineage",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('The component, e.g. component:default/phippy'),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'Instead of entityRef: the repository, e.g. github.com?owner=acme&repo=phippy (the one entity claiming it is acted through)',
            ),
        ref: z =>
          z
            .string()
            .optional()
            .describe(
              "The commit to release: a branch, tag or sha (default: the head of the flow's release branch)",
            ),
        version: z =>
          z
            .string()
            .optional()
            .describe(
              'The version, e.g. 1.4.0: no v, no build metadata (or give bump)',
            ),
        bump: z =>
          z
            .enum(['major', 'minor', 'patch', 'auto'])
            .optional()
            .describe(
              'Bump of the latest release; auto reads the conventional commits since the base release',
            ),
        message: z =>
          z
            .string()
            .optional()
            .describe(
              'A line above the generated release notes (the annotated tag message, and the GitHub Release)',
            ),
        mergeIntegrationBranch: z =>
          z
            .boolean()
            .optional()
            .describe(
              'GitFlow flows (integration branch other than the release branch), without ref: merge the integration branch into the release branch and tag the merge (default true; false tags the release branch as it is)',
            ),
        promote: z =>
          z
            .boolean()
            .optional()
            .describe("Also promote the new release to the flow's last stage"),
      },
      output: {
        tag: z => z.string().describe('The tag created'),
        version: z => z.string().describe('The version released'),
        sha: z => z.string().describe('The commit tagged'),
        branch: z =>
          z.string().describe('The branch the tagged commit is released from'),
        entityRef: z => z.string().describe('The entity acted through'),
        notes: z => z.string().optional().describe('The release notes written'),
        mergeSha: z =>
          z
            .string()
            .optional()
            .describe(
              'GitFlow: the merge of the integration branch that was tagged',
            ),
        digest: z =>
          z
            .string()
            .optional()
            .describe('With promote: the digest the last stage now runs'),
      },
    },
    async handler(ctx) {
      const { ref, version, bump, message, promote, mergeIntegrationBranch } =
        ctx.input;
      const request = {
        target: releaseTargetOf(ctx.input),
        ...(ref !== undefined ? { ref } : {}),
        ...(version !== undefined ? { version } : {}),
        ...(bump !== undefined ? { bump } : {}),
        ...(message !== undefined ? { message } : {}),
        ...(mergeIntegrationBranch !== undefined
          ? { mergeIntegrationBranch }
          : {}),
      };
      const actor = {
        credentials: await ctx.getInitiatorCredentials(),
        taskId: ctx.task.id,
      };
      // One checkpoint for the merge and the tag: a retry after the merge
      // finds the release branch containing the integration branch and
      // tags its head, so nothing is merged or tagged twice.
      const result = ctx.isDryRun
        ? await releaseService.tagRelease({ ...request, dryRun: true }, actor)
        : await ctx.checkpoint({
            key: `stageflow-release-${JSON.stringify(request)}`,
            fn: async () => ({
              ...(await releaseService.tagRelease(request, actor)),
            }),
          });
      ctx.logger.info(result.plan);
      if (result.notes) {
        ctx.logger.info(`Release notes of ${result.tag}:\n${result.notes}`);
        ctx.output('notes', result.notes);
      }
      if (result.merged) {
        ctx.output('mergeSha', result.merged.sha);
      }
      ctx.output('tag', result.tag);
      ctx.output('version', result.version);
      ctx.output('sha', result.sha);
      ctx.output('branch', result.branch);
      ctx.output('entityRef', result.entityRef);
      if (!promote) {
        return;
      }
      const stages = await releaseService.getStages(result.entityRef, actor);
      const lastStage = stages.stages[stages.stages.length - 1].name;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would then promote ${result.tag} to ${lastStage} (its candidate image)`,
        );
        return;
      }
      const promoted = await ctx.checkpoint({
        key: `stageflow-promote-${result.entityRef}-${lastStage}-${result.version}`,
        fn: async () => ({
          ...(await releaseService.promote(
            {
              target: { entityRef: result.entityRef },
              stage: lastStage,
              version: result.version,
            },
            actor,
          )),
        }),
      });
      ctx.logger.info(promoted.plan);
      ctx.output('digest', promoted.digest);
    },
  });
}
