import type { JsonObject } from '@backstage/types';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  FinishHotfixResult,
  ReleaseService,
} from '@stageflow/plugin-stageflow-node';
import { examples } from './finishHotfix.examples';
import { releaseTargetOf } from './releaseTargetOf';

/** Options of {@link createFinishHotfixAction}. @public */
export interface FinishHotfixActionOptions {
  releases: ReleaseService;
}

/**
 * `stageflow:hotfix:finish`: merges a hotfix back so that its release is
 * not lost with the branch (Oneflow: the hotfix branch into develop;
 * GitFlow: main into dev), as a pull request on GitHub and a pushed merge
 * commit elsewhere; optionally deletes the hotfix branch once merged.
 *
 * @public
 */
export function createFinishHotfixAction(options: FinishHotfixActionOptions) {
  const { releases } = options;
  return createTemplateAction({
    id: 'stageflow:hotfix:finish',
    description:
      'Merges a hotfix branch back (Oneflow: into develop; GitFlow: main into dev), through a pull request on GitHub; a conflict fails naming the files, with nothing pushed',
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
              'Instead of entityRef: the repository, e.g. github.com?owner=acme&repo=phippy; exactly one component must claim it',
            ),
        branch: z =>
          z.string().min(1).describe('The hotfix branch, e.g. hotfix/login'),
        deleteBranch: z =>
          z
            .boolean()
            .default(false)
            .describe('Delete the hotfix branch once it is merged'),
      },
      output: {
        entityRef: z => z.string().describe('The component acted on'),
        from: z => z.string().describe('The branch merged'),
        into: z => z.string().describe('The branch merged into'),
        outcome: z =>
          z
            .enum(['merged', 'pull-request', 'up-to-date'])
            .describe(
              'merged (a merge commit was pushed), pull-request (opened on the host) or up-to-date',
            ),
        sha: z =>
          z.string().optional().describe('The merge commit, when merged'),
        pullRequestUrl: z =>
          z
            .string()
            .optional()
            .describe('The pull request, when one was opened'),
        mergeable: z =>
          z
            .boolean()
            .optional()
            .describe('Whether the merge (or pull request) can go through'),
        branchDeleted: z =>
          z.boolean().describe('Whether the hotfix branch was deleted'),
        plan: z => z.string().describe('What was (or would be) done'),
      },
    },
    async handler(ctx) {
      const { entityRef, repoUrl, branch, deleteBranch } = ctx.input;
      const target = releaseTargetOf({ entityRef, repoUrl });
      const actor = {
        credentials: await ctx.getInitiatorCredentials(),
        taskId: ctx.task.id,
      };
      const request = { target, branch, deleteBranch };
      let result: FinishHotfixResult;
      if (ctx.isDryRun) {
        result = await releases.finishHotfix(
          { ...request, dryRun: true },
          actor,
        );
      } else {
        // A retried task finds the merge done and does not merge twice.
        result = (await ctx.checkpoint({
          key: `stageflow-hotfix-finish-${entityRef ?? repoUrl}-${branch}`,
          fn: async () =>
            (await releases.finishHotfix(
              request,
              actor,
            )) as FinishHotfixResult & JsonObject,
        })) as FinishHotfixResult & JsonObject;
      }
      ctx.logger.info(result.plan);
      ctx.output('entityRef', result.entityRef);
      ctx.output('from', result.from);
      ctx.output('into', result.into);
      ctx.output('outcome', result.outcome);
      if (result.sha) {
        ctx.output('sha', result.sha);
      }
      if (result.pullRequestUrl) {
        ctx.output('pullRequestUrl', result.pullRequestUrl);
      }
      if (result.mergeable !== undefined) {
        ctx.output('mergeable', result.mergeable);
      }
      ctx.output('branchDeleted', result.branchDeleted);
      ctx.output('plan', result.plan);
    },
  });
}
