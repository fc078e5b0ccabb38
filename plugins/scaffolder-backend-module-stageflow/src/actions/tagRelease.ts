import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  Release,
  formatReleaseTag,
  nextVersion,
  renderFlowTemplate,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
  validateRefName,
} from '@stageflow/plugin-stageflow-common';
import {
  ComponentTarget,
  GitRepository,
  bumpFromCommitMessages,
} from '@stageflow/plugin-stageflow-node';
import semver from 'semver';
import { examples } from './tagRelease.examples';
import {
  StageflowActionDeps,
  audited,
  authorize,
  describePlan,
  executePromotion,
  planPromotion,
  releasesOf,
  repositoryOf,
  resolveTarget,
} from './shared';

async function isAncestor(
  repository: GitRepository,
  sha: string,
  of: string,
): Promise<boolean> {
  if (sha === of) {
    return true;
  }
  return (await repository.compare(sha, of)).behindBy === 0;
}

/**
 * Where a commit stands in the flow. A hotfix commit is one of a hotfix
 * branch that does not contain the latest release, merged back or not.
 */
async function lineage(
  repository: GitRepository,
  target: ComponentTarget,
  sha: string,
  latest: Release | undefined,
): Promise<{ branch: string; hotfix: boolean }> {
  const releaseBranch = target.flow.branches.release;
  const head = await repository.resolveCommit(releaseBranch);
  const onRelease = await isAncestor(repository, sha, head.sha);
  const prefix = renderFlowTemplate(target.flow.branches.hotfix, {
    name: '',
  });
  let hotfixBranch: string | undefined;
  for (const branch of await repository.listBranches()) {
    if (
      branch.name.startsWith(prefix) &&
      (await isAncestor(repository, sha, branch.sha))
    ) {
      hotfixBranch = branch.name;
      break;
    }
  }
  if (!onRelease && !hotfixBranch) {
    throw new ConflictError(
      `Commit ${sha.slice(
        0,
        7,
      )} is neither on ${releaseBranch} nor on a ${prefix}* branch: it is outside the release lineage of flow ${
        target.flow.name
      }`,
    );
  }
  const containsLatest =
    latest !== undefined && (await isAncestor(repository, latest.sha, sha));
  if (hotfixBranch && !containsLatest) {
    return { branch: hotfixBranch, hotfix: true };
  }
  return { branch: releaseBranch, hotfix: false };
}

/** The newest release the commit contains: what it is based on. */
async function baseRelease(
  repository: GitRepository,
  releases: Release[],
  sha: string,
): Promise<Release | undefined> {
  for (const release of releases.filter(r => !r.prerelease)) {
    if (await isAncestor(repository, release.sha, sha)) {
      return release;
    }
  }
  return undefined;
}

/**
 * `stageflow:release:tag`: creates the annotated release tag of a commit,
 * with a version given or bumped from the latest release (conventional
 * commits for `auto`); never a version that exists or goes backwards.
 *
 * @public
 */
export function createTagReleaseAction(deps: StageflowActionDeps) {
  return createTemplateAction({
    id: 'stageflow:release:tag',
    description:
      "Tags a release of the component: an annotated tag in the flow's pattern on a commit of its release lineage",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().describe('The component, e.g. component:default/phippy'),
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
            .describe('The version, e.g. 1.4.0 (or give bump)'),
        bump: z =>
          z
            .enum(['major', 'minor', 'patch', 'auto'])
            .optional()
            .describe(
              'Bump of the latest release; auto reads the conventional commits since',
            ),
        message: z =>
          z.string().optional().describe('Message of the annotated tag'),
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
        digest: z =>
          z
            .string()
            .optional()
            .describe('With promote: the digest the last stage now runs'),
      },
    },
    async handler(ctx) {
      const { entityRef, ref, version, bump, message, promote } = ctx.input;
      if (version !== undefined && bump !== undefined) {
        throw new InputError('Invalid input: give version or bump, not both');
      }
      if (version !== undefined && !semver.valid(version)) {
        throw new InputError(
          `Invalid input: version must be a SemVer version such as 1.4.0, got '${version}'`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const target = await resolveTarget(deps, entityRef, credentials);
      await authorize(
        deps,
        stageflowReleaseCreatePermission,
        target.entityRef,
        credentials,
      );
      if (promote) {
        await authorize(
          deps,
          stageflowImagePromotePermission,
          target.entityRef,
          credentials,
        );
      }
      const repository = repositoryOf(deps, target);
      const releases = await releasesOf(deps, target);
      const commit = await repository.resolveCommit(
        ref ?? target.flow.branches.release,
      );
      const latest = releases.find(r => !r.prerelease);
      const place = await lineage(repository, target, commit.sha, latest);
      const base = await baseRelease(repository, releases, commit.sha);

      let newVersion: string;
      if (version !== undefined) {
        newVersion = semver.valid(version)!;
      } else {
        let step = bump ?? 'auto';
        if (step === 'auto') {
          const since = base
            ? (await repository.compare(base.sha, commit.sha)).commits
            : [];
          const implied = bumpFromCommitMessages(since.map(c => c.message));
          if (base && implied === 'none') {
            throw new InputError(
              `Invalid input: no feat, fix, perf or breaking commit since ${base.tag}, so bump auto implies no release; give version or bump`,
            );
          }
          step = implied === 'none' ? 'minor' : implied;
          ctx.logger.info(
            `Conventional commits since ${
              base?.tag ?? 'the start'
            } imply a ${step} bump`,
          );
        }
        newVersion = nextVersion((place.hotfix ? base : latest)?.version, step);
      }

      const existing = releases.find(r => r.version === newVersion);
      if (existing) {
        throw new ConflictError(
          `Release ${newVersion} exists already (tag ${
            existing.tag
          } on ${existing.sha.slice(0, 7)})`,
        );
      }
      if (latest && !semver.gt(newVersion, latest.version)) {
        const hotfixAllowed =
          place.hotfix && base && semver.gt(newVersion, base.version);
        if (!hotfixAllowed) {
          throw new ConflictError(
            `Version ${newVersion} is not greater than the latest release ${
              latest.version
            }${
              place.hotfix && base
                ? ` nor than ${base.version}, the release ${place.branch} is based on`
                : ''
            }`,
          );
        }
      }
      const tag = formatReleaseTag(newVersion, target.flow.tagPattern);
      const valid = validateRefName(tag);
      if (!valid.ok) {
        throw new InputError(
          `Invalid input: the tag '${tag}' is not a valid git ref: ${valid.message}`,
        );
      }

      ctx.logger.info(
        `Plan: tag ${tag} on ${commit.sha.slice(0, 7)} (${place.branch})${
          promote
            ? `, then promote it to ${target.flow.stages.at(-1)!.name}`
            : ''
        }`,
      );
      ctx.output('tag', tag);
      ctx.output('version', newVersion);
      ctx.output('sha', commit.sha);
      if (ctx.isDryRun) {
        ctx.logger.info('Dry run: nothing was changed');
        return;
      }

      await ctx.checkpoint({
        key: `stageflow-release-${target.entityRef}-${tag}`,
        fn: async () => {
          await audited(
            deps,
            'release-tag',
            { entityRef: target.entityRef, tag, sha: commit.sha },
            () =>
              repository.createTag({
                name: tag,
                sha: commit.sha,
                message: message ?? `Release ${tag}`,
              }),
          );
        },
      });
      ctx.logger.info(`Created ${tag} on ${commit.sha.slice(0, 7)}`);

      if (promote) {
        const release: Release = {
          tag,
          version: newVersion,
          sha: commit.sha,
          prerelease: semver.prerelease(newVersion) !== null,
        };
        const lastStage = target.flow.stages.at(-1)!.name;
        const result = await ctx.checkpoint({
          key: `stageflow-promote-${target.entityRef}-${lastStage}-${newVersion}`,
          fn: async () => {
            const plan = await planPromotion(deps, target, {
              stage: lastStage,
              release,
              releases: [release, ...releases],
            });
            ctx.logger.info(`Plan: ${describePlan(plan)}`);
            return audited(
              deps,
              'image-promote',
              {
                entityRef: target.entityRef,
                stage: lastStage,
                version: newVersion,
                digest: plan.digest,
              },
              () => executePromotion(deps, plan),
            );
          },
        });
        ctx.logger.info(`Promoted ${tag} to ${lastStage}: ${result.digest}`);
        ctx.output('digest', result.digest);
      }
    },
  });
}
