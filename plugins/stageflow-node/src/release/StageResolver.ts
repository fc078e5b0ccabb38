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
import { StageflowFacts } from './StageflowFacts';
import { StageObservation } from './stageObservation';
import { isGitopsStage, observeGitopsStage } from './gitops/readGitopsPin';

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
 */
export class StageResolver {
  constructor(
    private readonly facts: StageflowFacts,
    private readonly logger: LoggerService,
  ) {}

  async getReleases(target: ComponentTarget): Promise<Release[]> {
    if (!target.repository) {
      return [];
    }
    return this.facts.releases(target.repository, target.flow.tagPattern);
  }

  /**
   * The releases with a date each, for people to read: a lightweight tag has
   * none of its own, so the newest undated ones get their commit's date (a
   * commit read once and kept for good; older ones stay undated rather than
   * costing a request each).
   */
  async getDatedReleases(target: ComponentTarget): Promise<Release[]> {
    const releases = await this.getReleases(target);
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

  async getStages(target: ComponentTarget): Promise<StagesResponse> {
    let releases: Release[] = [];
    let releasesError: string | undefined;
    try {
      releases = await this.getReleases(target);
    } catch (error) {
      releasesError = `Could not read releases: ${errorMessage(error)}`;
      this.logger.warn('Could not read releases', {
        entityRef: target.entityRef,
        error: errorMessage(error),
      });
    }

    const stages = await Promise.all(
      target.flow.stages.map(stage =>
        this.resolveStage(target, stage, releases, releasesError).catch(
          (error): StageInfo => ({
            name: stage.name,
            image: this.stageImage(target, stage),
            status: 'error',
            message: errorMessage(error),
          }),
        ),
      ),
    );
    await this.addBehind(target, stages, releases);

    const latestRelease =
      releases.find(r => !r.prerelease) ?? releases[0] ?? undefined;
    return {
      entityRef: target.entityRef,
      flow: target.flow.name,
      stages,
      ...(latestRelease ? { latestRelease } : {}),
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
    return this.resolveStage(target, stage, releases, undefined);
  }

  private stageImage(target: ComponentTarget, stage: FlowStage): string {
    return renderFlowTemplate(stage.image, { image: target.image });
  }

  private async resolveStage(
    target: ComponentTarget,
    stage: FlowStage,
    releases: Release[],
    releasesError: string | undefined,
  ): Promise<StageInfo> {
    const observed = isGitopsStage(stage)
      ? await observeGitopsStage({
          facts: this.facts,
          target,
          stage,
          releases,
          findRevisionByDigest: digest =>
            this.findRevisionByDigest(target, digest, releases),
        })
      : await this.observeImage(target, stage, releases);
    if (!('info' in observed)) {
      return observed;
    }
    return this.judge(target, stage, observed, releases, releasesError);
  }

  /** A registry-tag stage: stage image tag -> digest -> image config -> revision. */
  private async observeImage(
    target: ComponentTarget,
    stage: FlowStage,
    releases: Release[],
  ): Promise<StageObservation | StageInfo> {
    const image = this.stageImage(target, stage);
    const ref = parseImageReference(image);
    const descriptor = await this.facts.resolveImage(ref);
    if (!descriptor) {
      return {
        name: stage.name,
        image,
        status: 'missing',
        message: `Image ${image} does not exist`,
      };
    }
    const config = await this.facts.imageConfig(ref, descriptor.digest);
    const revision =
      config.revision ??
      (await this.findRevisionByDigest(target, descriptor.digest, releases));
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

  /** What the stage runs against what its flow expects: ok or drift. */
  private async judge(
    target: ComponentTarget,
    stage: FlowStage,
    observed: StageObservation,
    releases: Release[],
    releasesError: string | undefined,
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
    const release = releases.find(r => r.sha === revision);
    const info: StageInfo = { ...base, revision };
    if (release) {
      info.version = release.version;
      info.tag = release.tag;
    } else if (labelVersion) {
      info.version = labelVersion;
    }
    if (releasesError) {
      return { ...info, status: 'error', message: releasesError };
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
      );
      if (
        base.digest &&
        candidateDescriptor &&
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
    const head = await this.facts.branchHead(target.repository, branch);
    if (head === revision) {
      return info;
    }
    const comparison = await this.facts.compare(
      target.repository,
      revision,
      head,
    );
    if (comparison.behindBy > 0) {
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
          .branchHead(target.repository!, branch)
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
      const found = await this.facts.resolveImage(candidate);
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
