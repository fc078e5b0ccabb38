import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  nextVersion,
  renderFlowTemplate,
  stageflowHotfixCreatePermission,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import { examples } from './startHotfix.examples';
import {
  StageflowActionDeps,
  audited,
  authorize,
  findRelease,
  releasesOf,
  repositoryOf,
  resolveTarget,
} from './shared';

/**
 * `stageflow:hotfix:start`: creates the hotfix branch of a release (the
 * latest by default), as both seed workflows start a hotfix: from the
 * release tag, so that the fix ships without what was merged since.
 *
 * @public
 */
export function createStartHotfixAction(deps: StageflowActionDeps) {
  return createTemplateAction({
    id: 'stageflow:hotfix:start',
    description:
      "Creates the hotfix branch (the flow's hotfix pattern, e.g. hotfix/<name>) from a release tag",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().describe('The component, e.g. component:default/phippy'),
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
      },
      output: {
        branch: z => z.string().describe('The branch created'),
        sha: z => z.string().describe('The commit it starts from'),
        fromTag: z => z.string().describe('The release tag it starts from'),
        nextVersion: z =>
          z.string().describe('The version the hotfix will be released as'),
      },
    },
    async handler(ctx) {
      const { entityRef, name, fromVersion } = ctx.input;
      const credentials = await ctx.getInitiatorCredentials();
      const target = await resolveTarget(deps, entityRef, credentials);
      const branch = renderFlowTemplate(target.flow.branches.hotfix, { name });
      const valid = validateRefName(branch);
      if (!valid.ok) {
        throw new InputError(
          `Invalid input: name gives the branch '${branch}', which git refuses: ${valid.message}`,
        );
      }
      await authorize(
        deps,
        stageflowHotfixCreatePermission,
        target.entityRef,
        credentials,
      );
      const releases = await releasesOf(deps, target);
      const from = findRelease(releases, fromVersion, 'fromVersion');
      const next = nextVersion(from.version, 'patch');
      ctx.logger.info(
        `Plan: create ${branch} at ${from.tag} (${from.sha.slice(
          0,
          7,
        )}); it will be released as ${next}`,
      );
      ctx.output('branch', branch);
      ctx.output('fromTag', from.tag);
      ctx.output('nextVersion', next);
      ctx.output('sha', from.sha);
      if (ctx.isDryRun) {
        ctx.logger.info('Dry run: nothing was changed');
        return;
      }
      await ctx.checkpoint({
        key: `stageflow-hotfix-${target.entityRef}-${branch}`,
        fn: async () => {
          await audited(
            deps,
            'hotfix-start',
            { entityRef: target.entityRef, branch, from: from.tag },
            () => repositoryOf(deps, target).createBranch(branch, from.sha),
          );
        },
      });
      ctx.logger.info(`Created ${branch} from ${from.tag}`);
    },
  });
}
