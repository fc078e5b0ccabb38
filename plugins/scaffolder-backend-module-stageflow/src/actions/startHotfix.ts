import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ReleaseService } from '@stageflow/plugin-stageflow-node';
import { examples } from './startHotfix.examples';
import { releaseTargetOf } from './releaseTargetOf';

/**
 * `stageflow:hotfix:start`: creates the hotfix branch of a release (the
 * latest by default), as both seed workflows start a hotfix: from the
 * release tag, so that the fix ships without what was merged since.
 *
 * @public
 */
export function createStartHotfixAction(options: {
  releaseService: ReleaseService;
}) {
  const { releaseService } = options;
  return createTemplateAction({
    id: 'stageflow:hotfix:start',
    description:
      "Creates the hotfix branch (the flow's hotfix pattern, e.g. hotfix/<name>) from a release tag",
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
        name: z =>
          z
            .string()
            .min(1)
            .describe('Name of the hotfix: the branch is hotfix/<name>'),
        fromVersion: z =>
          z
            .string()
            .optional()
            .describe('The release to fix (default: the latest release)'),
        cherryPick: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Commits (shas) cherry-picked onto the new branch, in order; a conflict fails naming the files, with nothing pushed',
            ),
      },
      output: {
        branch: z => z.string().describe('The branch created'),
        sha: z => z.string().describe('The commit it starts from'),
        fromTag: z => z.string().describe('The release tag it starts from'),
        nextVersion: z =>
          z.string().describe('The version the hotfix will be released as'),
        entityRef: z => z.string().describe('The entity acted through'),
        cherryPicked: z =>
          z
            .array(z.string())
            .optional()
            .describe('The full shas cherry-picked, in order'),
      },
    },
    async handler(ctx) {
      const { name, fromVersion, cherryPick } = ctx.input;
      const request = {
        target: releaseTargetOf(ctx.input),
        name,
        ...(fromVersion !== undefined ? { fromVersion } : {}),
        ...(cherryPick?.length ? { cherryPick } : {}),
      };
      const actor = {
        credentials: await ctx.getInitiatorCredentials(),
        taskId: ctx.task.id,
      };
      const result = ctx.isDryRun
        ? await releaseService.startHotfix({ ...request, dryRun: true }, actor)
        : await ctx.checkpoint({
            key: `stageflow-hotfix-${JSON.stringify(request.target)}-${name}`,
            fn: async () => ({
              ...(await releaseService.startHotfix(request, actor)),
            }),
          });
      ctx.logger.info(result.plan);
      ctx.output('branch', result.branch);
      ctx.output('fromTag', result.fromTag);
      ctx.output('nextVersion', result.nextVersion);
      ctx.output('sha', result.sha);
      ctx.output('entityRef', result.entityRef);
      if (result.cherryPicked) {
        ctx.output('cherryPicked', result.cherryPicked);
      }
    },
  });
}
