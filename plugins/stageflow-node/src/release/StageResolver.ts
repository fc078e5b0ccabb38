import { LoggerService } from '@backstage/backend-plugin-api';
import {
  FlowStage,
  Release,
  StageInfo,
  StagesResponse,
  parseImageReference,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import { ComponentTarget } from '../flows';
import { FactReadOptions, StageflowFacts } from './StageflowFacts';
import { StageObservation } from './stageObservation';
import { isGitopsStage, observeGitopsStage } from './gitops/readGitopsPin';

/** The releases of a component as one stage resolution read them. */
interface ReleasesRead {
  releases: Release[];
  /** Why they could not be read; the stages still resolve without them. */
  error?: string;
}

// When an image carries no revision label, its commit is found by comparing
// its digest with the candidate images of the commits most likely to run:
// branch heads and the newest releases. Bounded, so that a stage never costs
// a scan of the whole registry.
const REVISION_SEARCH_RELEASES = 20;

function short(sha: string): string {
  return sha.slice(0, 7);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How many undated releases, newest first, get their commit's date. */
const DATED_RELEASES = 25;

/**
 * Resolves what each stage of a component runs: stage image tag -> digest
 * -> image config -> revision -> release -> status, and how far each stage
 * is behind the stage before it.
 *
 * @public
 */
export class StageResolver {
  constructor(
    private readonly facts: StageflowFacts,
    private readonly logger: LoggerService,
  ) {}

  /**
   * A component's releases. With `options.stale`, an unavailable git host
   * answers with the last known list and its stale mark is collected.
   */
  async getReleases(
    target: ComponentTarget,
    options: FactReadOptions = {},
  ): Promise<Release[]> {
    if (!target.repository) {
      return [];
    }
    return this.facts.releases(
      target.repository,
      target.flow.tagPattern,
      options,
    );
  }

  /**
   * The releases with a date each, for people to read: a lightweight tag has
   * none of its own, so the newest undated ones get their commit's date (a
   * commit read once and kept for good; older ones stay undated rather than
   * costing a request each).
   */
  async getDatedReleases(
    target: ComponentTarget,
    options: FactReadOptions = {},
  ): Promise<Release[]> {
    const releases = await this.getReleases(target, options);
    const repository = target.repository;
    if (!repository) {
      return releases;
    }
    const undated = releases
      .filter(release => !release.date)
      .slice(0, DATED_RELEASES);
    const dates = new Map(
      await Promise.all(
        undated.map(
          async release =>
            [
              release.tag,
              await this.facts
                .commitDate(repository, release.sha)
                .catch(error => {
                  // The release is still listed, without a date.
                  this.logger.warn('Could not read the date of a release', {
                    entityRef: target.entityRef,
                    tag: release.tag,
                    error: errorMessage(error),
                  });
                  return undefined;
                }),
            ] as const,
        ),
      ),
    );
    return releases.map(release => {
      const date = dates.get(release.tag);
      return date ? { ...release, date } : release;
    });
  }

  /**
   * What every stage runs. With `options.stale`, each moving fact (a stage
   * tag's digest, the releases, a branch head) answers from its last known
   * good value when its upstream is unavailable, and the answer carries the
   * oldest stale mark. Each fact degrades on its own: a stage whose registry
   * facts resolved keeps its digest and revision when git fails.
   */
  async getStages(
    target: ComponentTarget,
    options: FactReadOptions = {},
  ): Promise<StagesResponse> {
    // Read alongside the registry facts, not before them: an unavailable
    // git host costs a render one wait, not one per fact.
    const releasesRead: Promise<ReleasesRead> = this.getReleases(
      target,
      options,
    ).then(
      releases => ({ releases }),
      error => {
        this.logger.warn('Could not read releases', {
          entityRef: target.entityRef,
          error: errorMessage(error),
        });
        return {
          releases: [],
          error: `Could not read releases: ${errorMessage(error)}`,
        };
      },
    );

    const stages = await Promise.all(
      target.flow.stages.map(stage =>
        this.resolveStage(target, stage, releasesRead, options).catch(
          (error): StageInfo => ({
            name: stage.name,
            image: this.stageImage(target, stage),
            status: 'error',
            message: errorMessage(error),
          }),
        ),
      ),
    );
    const { releases } = await releasesRead;
    await this.addBehind(target, stages, releases);

    const latestRelease =
      releases.find(r => !r.prerelease) ?? releases[0] ?? undefined;
    return {
      entityRef: target.entityRef,
      flow: target.flow.name,
      stages,
      ...(latestRelease ? { latestRelease } : {}),
      ...options.stale?.field(),
    };
  }

  /**
   * What one stage runs, resolved as the card shows it (the digest fallback
   * included): the promotion's downgrade guard reads this.
   */
  getStage(
    target: ComponentTarget,
    stage: FlowStage,
    releases: Release[],
  ): Promise<StageInfo> {
    return this.resolveStage(target, stage, Promise.resolve({ releases }), {});
  }

  private stageImage(target: ComponentTarget, stage: FlowStage): string {
    return renderFlowTemplate(stage.image, { image: target.image });
  }

  private async resolveStage(
    target: ComponentTarget,
    stage: FlowStage,
    releasesRead: Promise<ReleasesRead>,
    options: FactReadOptions,
  ): Promise<StageInfo> {
    // The branch head is read alongside the registry facts and the
    // releases, so that a slow git host costs one wait, not two in a row.
    const repository = target.repository;
    const headRead =
      repository && 'branch' in stage.expects
        ? this.facts.branchHead(repository, stage.expects.branch, options).then(
            sha => ({ sha }),
            (error: unknown) => ({ error }),
          )
        : undefined;
    const observed = isGitopsStage(stage)
      ? await observeGitopsStage({
          facts: this.facts,
          target,
          stage,
          releases: (await releasesRead).releases,
          findRevisionByDigest: async digest =>
            this.findRevisionByDigest(
              target,
              digest,
              (
                await releasesRead
              ).releases,
              options,
            ),
        })
      : await this.observeImage(target, stage, releasesRead, options);
    if (!('info' in observed)) {
      return observed;
    }
    return this.judge(target, stage, observed, releasesRead, headRead, options);
  }

  /** A registry-tag stage: stage image tag -> digest -> image config -> revision. */
  private async observeImage(
    target: ComponentTarget,
    stage: FlowStage,
    releasesRead: Promise<ReleasesRead>,
    options: FactReadOptions,
  ): Promise<StageObservation | StageInfo> {
    const image = this.stageImage(target, stage);
    const ref = parseImageReference(image);
    const { descriptor, config } = await this.facts.stageImage(ref, options);
    if (!descriptor || !config) {
      return {
        name: stage.name,
        image,
        status: 'missing',
        message: `Image ${image} does not exist`,
      };
    }
    const revision =
      config.revision ??
      (await this.findRevisionByDigest(
        target,
        descriptor.digest,
        (
          await releasesRead
        ).releases,
        options,
      ));
    return {
      info: {
        name: stage.name,
        image,
        digest: descriptor.digest,
        ...(config.created ? { createdAt: config.created } : {}),
        status: 'ok',
      },
      ...(revision ? { revision } : {}),
      ...(config.version ? { labelVersion: config.version } : {}),
    };
  }

  /** What the stage runs against what its flow expects: ok, drift or error. */
  private async judge(
    target: ComponentTarget,
    stage: FlowStage,
    observed: StageObservation,
    releasesRead: Promise<ReleasesRead>,
    headRead: Promise<{ sha: string } | { error: unknown }> | undefined,
    options: FactReadOptions,
  ): Promise<StageInfo> {
    const { info: base, revision, labelVersion } = observed;
    if (!revision) {
      return {
        ...base,
        ...(labelVersion ? { version: labelVersion } : {}),
        status: 'drift',
        message:
          'The image names no revision (label org.opencontainers.image.revision) and is no candidate image of a known commit',
      };
    }
    const { releases, error: releasesError } = await releasesRead;
    const release = releases.find(r => r.sha === revision);
    const info: StageInfo = { ...base, revision };
    if (release) {
      info.version = release.version;
      info.tag = release.tag;
    } else if (labelVersion) {
      info.version = labelVersion;
    }
    if (!target.repository) {
      return {
        ...info,
        status: 'error',
        message:
          'The component names no git repository (github.com/project-slug or stageflow.io/git-url)',
      };
    }

    if ('release' in stage.expects) {
      // Whether it runs a release cannot be told without the releases.
      if (releasesError) {
        return { ...info, status: 'error', message: releasesError };
      }
      if (!release) {
        return {
          ...info,
          status: 'drift',
          message: `Runs commit ${short(revision)}, which has no release tag`,
        };
      }
      const candidate = renderFlowTemplate(target.flow.candidateImage, {
        image: target.image,
        sha: release.sha,
      });
      const candidateDescriptor = await this.facts.resolveImage(
        parseImageReference(candidate),
        options,
      );
      if (
        candidateDescriptor &&
        base.digest &&
        candidateDescriptor.digest !== base.digest
      ) {
        return {
          ...info,
          status: 'drift',
          message: `Runs ${release.tag} but not its candidate image ${candidate} (digest ${candidateDescriptor.digest}): it was rebuilt, not promoted`,
        };
      }
      return info;
    }

    const branch = stage.expects.branch;
    let behindBranch: number;
    try {
      const read = await headRead!;
      if ('error' in read) {
        throw read.error;
      }
      const head = read.sha;
      if (head === revision) {
        return info;
      }
      behindBranch = (
        await this.facts.compare(target.repository, revision, head)
      ).behindBy;
    } catch (error) {
      // The digest and revision the registry gave stay on the card.
      this.logger.warn('Could not check a stage against its branch', {
        entityRef: target.entityRef,
        stage: stage.name,
        error: errorMessage(error),
      });
      return {
        ...info,
        status: 'error',
        message: `Could not check it against branch ${branch}: ${errorMessage(
          error,
        )}`,
      };
    }
    if (behindBranch > 0) {
      return {
        ...info,
        status: 'drift',
        message: `Runs commit ${short(
          revision,
        )}, which is not on branch ${branch}`,
      };
    }
    return info;
  }

  private async findRevisionByDigest(
    target: ComponentTarget,
    digest: string,
    releases: Release[],
    options: FactReadOptions,
  ): Promise<string | undefined> {
    if (!target.repository) {
      return undefined;
    }
    const heads = await Promise.all(
      [
        ...new Set(
          target.flow.stages.flatMap(s =>
            'branch' in s.expects ? [s.expects.branch] : [],
          ),
        ),
      ].map(branch =>
        this.facts
          .branchHead(target.repository!, branch, options)
          .catch(() => undefined),
      ),
    );
    const candidates = [
      ...heads.filter((sha): sha is string => Boolean(sha)),
      ...releases.slice(0, REVISION_SEARCH_RELEASES).map(r => r.sha),
    ];
    for (const sha of new Set(candidates)) {
      const candidate = parseImageReference(
        renderFlowTemplate(target.flow.candidateImage, {
          image: target.image,
          sha,
        }),
      );
      const found = await this.facts.resolveImage(candidate, options);
      if (found?.digest === digest) {
        return sha;
      }
    }
    return undefined;
  }

  private async addBehind(
    target: ComponentTarget,
    stages: StageInfo[],
    releases: Release[],
  ): Promise<void> {
    if (!target.repository) {
      return;
    }
    const releaseShas = new Set(releases.map(r => r.sha));
    await Promise.all(
      stages.map(async (stage, index) => {
        const ahead = stages[index - 1];
        if (!ahead?.revision || !stage.revision) {
          return;
        }
        try {
          const comparison = await this.facts.compare(
            target.repository!,
            stage.revision,
            ahead.revision,
          );
          stage.behind = {
            stage: ahead.name,
            commits: comparison.aheadBy,
            releases: comparison.commits.filter(c => releaseShas.has(c.sha))
              .length,
          };
        } catch (error) {
          this.logger.warn('Could not compare stages', {
            entityRef: target.entityRef,
            error: errorMessage(error),
          });
        }
      }),
    );
  }
}
