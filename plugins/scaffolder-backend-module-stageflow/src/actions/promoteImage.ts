import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ReleaseService } from '@stageflow/plugin-stageflow-node';
import { examples } from './promoteImage.examples';
import { releaseTargetOf } from './releaseTargetOf';

/**
 * `stageflow:image:promote`: points a stage at the image already built for
 * a release (its candidate image), copying the manifest only: the digest
 * that runs is the one that was tested.
 *
 * @public
 */
export function createPromoteImageAction(options: {
  releaseService: ReleaseService;
}) {
  const { releaseService } = options;
  return createTemplateAction({
    id: 'stageflow:image:promote',
    description:
      "Promotes a release's already-built candidate image to a stage of the component's flow, without rebuilding it: re-tags it in the registry, or, for GitOps stages, commits its digest to the stage's pin (pushed, or as a pull request)",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('The component, e.g. component:default/phippy'),
        image: z =>
          z
            .string()
            .optional()
            .describe(
              'Instead of entityRef: the image base, e.g. registry.acme.example/acme/phippy (the one entity claiming it is acted through)',
            ),
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
        rollback: z =>
          z
            .boolean()
            .optional()
            .describe(
              'A roll back to an earlier release (with allowDowngrade); recorded in the receipt',
            ),
      },
      output: {
        digest: z => z.string().describe('The digest the stage now runs'),
        tags: z =>
          z.array(z.string()).describe('The image tags that were written'),
        previousDigest: z =>
          z.string().optional().describe('The digest the stage ran before'),
        previousVersion: z =>
          z.string().optional().describe('The version the stage ran before'),
        version: z => z.string().describe('The version promoted'),
        entityRef: z => z.string().describe('The entity acted through'),
        commit: z =>
          z
            .string()
            .optional()
            .describe(
              'GitOps stages: the commit that changes the pin (on the branch, or on the pull request)',
            ),
        pullRequestUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'GitOps stages promoted through review: the pull request; the stage moves once it is merged',
            ),
        pullRequestBranch: z =>
          z
            .string()
            .optional()
            .describe(
              'GitOps stages promoted through review: the branch proposed (on hosts without pull requests, the proposal itself)',
            ),
        diff: z =>
          z
            .string()
            .optional()
            .describe('GitOps stages: the unified diff of the pin file'),
        state: z =>
          z
            .enum(['done', 'pending'])
            .optional()
            .describe(
              'done: the stage runs it; pending: a protected stage, the request waits for approval',
            ),
        requestId: z =>
          z
            .string()
            .optional()
            .describe('The promotion request waiting for approval (pending)'),
      },
    },
    async handler(ctx) {
      const { stage, version, allowDowngrade, rollback } = ctx.input;
      const request = {
        target: releaseTargetOf(ctx.input),
        stage,
        ...(version !== undefined ? { version } : {}),
        ...(allowDowngrade !== undefined ? { allowDowngrade } : {}),
        ...(rollback !== undefined ? { rollback } : {}),
      };
      const actor = {
        credentials: await ctx.getInitiatorCredentials(),
        taskId: ctx.task.id,
      };
      const result = ctx.isDryRun
        ? await releaseService.promote({ ...request, dryRun: true }, actor)
        : await ctx.checkpoint({
            key: `stageflow-promote-${JSON.stringify(
              request.target,
            )}-${stage}-${version ?? 'latest'}`,
            fn: async () => ({
              ...(await releaseService.promote(request, actor)),
            }),
          });
      ctx.logger.info(result.plan);
      if (result.diff) {
        ctx.logger.info(result.diff);
      }
      ctx.output('digest', result.digest);
      ctx.output('tags', result.tags);
      if (result.previousDigest) {
        ctx.output('previousDigest', result.previousDigest);
      }
      if (result.previousVersion) {
        ctx.output('previousVersion', result.previousVersion);
      }
      ctx.output('version', result.version);
      ctx.output('entityRef', result.entityRef);
      for (const key of [
        'commit',
        'pullRequestUrl',
        'pullRequestBranch',
        'diff',
      ] as const) {
        const value = result[key];
        if (value) {
          ctx.output(key, value);
        }
      }
      if (result.state) {
        ctx.output('state', result.state);
      }
      if (result.requestId) {
        ctx.output('requestId', result.requestId);
      }
    },
  });
}
