import { parseEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  ImageReference,
  Release,
  StageInfo,
  formatImageReference,
  renderFlowTemplate,
} from '@stageflow/plugin-stageflow-common';
import { ComponentTarget } from '../../flows';
import { GitCommit, GitRepositoryLocator } from '../../git/types';
import { assertValidRefName } from '../../git/refs';
import { StageflowFacts } from '../StageflowFacts';
import { gitopsFilePath, gitopsLocator } from './gitopsLocations';
import { lineDiff } from './lineDiff';
import { writePinValues } from './pinValues';
import { promotionNotes } from './promotionNotes';
import { GitopsStage } from './readGitopsPin';

/** The GitOps part of a promotion plan: the one file change to make. */
export interface GitopsPromotion {
  repository: string;
  locator: GitRepositoryLocator;
  branch: string;
  via: 'push' | 'pull-request';
  path: string;
  /** The branch head the change is made on. */
  parent: string;
  before: string;
  after: string;
  /** Unified diff of the file; empty when the pin is already there. */
  diff: string;
  message: string;
  /** `via: pull-request`: the branch proposed and the pull request's text. */
  proposal?: { branch: string; title: string; body: string };
}

/**
 * Plans the pin change of a GitOps stage: the file read at the head of its
 * branch (not from a cache), the values set to the release's candidate
 * image (tag, digest) and release tag (revision), the commit message and,
 * for `via: pull-request`, the pull request saying what moves.
 */
export async function planGitopsPromotion(options: {
  facts: StageflowFacts;
  target: ComponentTarget;
  stage: GitopsStage;
  release: Release;
  candidate: { ref: ImageReference; digest: string };
  running: StageInfo;
  previousVersion?: string;
}): Promise<GitopsPromotion> {
  const { facts, target, stage, release, candidate, running } = options;
  const { source } = stage;
  const locator = gitopsLocator(source);
  const path = gitopsFilePath(source, {
    stage: stage.name,
    entityRef: target.entityRef,
  });
  const repository = facts.repository(locator);
  const parent = (await repository.resolveCommit(source.branch)).sha;
  const before = await repository.readFile(parent, path);
  if (before === undefined) {
    throw new NotFoundError(
      `${path} does not exist in ${source.repository} (branch ${source.branch}): add the file that pins stage ${stage.name} first`,
    );
  }
  const values = {
    version: release.version,
    tag: release.tag,
    sha: release.sha,
  };
  const updates = [
    ...(source.values.tag
      ? [
          {
            path: source.values.tag,
            value: source.pinTag
              ? renderFlowTemplate(source.pinTag, values)
              : candidate.ref.tag ?? release.version,
          },
        ]
      : []),
    ...(source.values.digest
      ? [{ path: source.values.digest, value: candidate.digest }]
      : []),
    ...(source.values.revision
      ? [{ path: source.values.revision, value: release.tag }]
      : []),
  ];
  const after = writePinValues(before, updates, path);
  const diff = lineDiff(path, before, after);
  const component = parseEntityRef(target.entityRef).name;
  const pinned = formatImageReference({
    ...candidate.ref,
    digest: candidate.digest,
  });
  const message = [
    `chore(${stage.name}): promote ${component} to ${release.version}`,
    '',
    `Pins ${pinned} in ${path}, the candidate image of ${
      release.tag
    } (${release.sha.slice(0, 7)}).`,
    ...(running.digest
      ? [
          `Before: ${
            options.previousVersion ?? running.version ?? 'unknown'
          } (${running.digest}).`,
        ]
      : []),
  ].join('\n');
  let proposal: GitopsPromotion['proposal'];
  if (source.via === 'pull-request' && diff) {
    const commits: GitCommit[] =
      running.revision && target.repository
        ? (
            await facts.compare(
              target.repository,
              running.revision,
              release.sha,
            )
          ).commits
        : [];
    const branch = `stageflow/promote-${component}-${stage.name}-${release.version}`;
    assertValidRefName(branch);
    proposal = {
      branch,
      title: `Promote ${component} ${release.version} to ${stage.name}`,
      body: promotionNotes({
        component,
        stage: stage.name,
        from: {
          version: options.previousVersion ?? running.version,
          digest: running.digest,
        },
        to: {
          version: release.version,
          tag: release.tag,
          digest: candidate.digest,
          image: pinned,
        },
        file: path,
        commits,
        diff,
      }),
    };
  }
  return {
    repository: source.repository,
    locator,
    branch: source.branch,
    via: source.via,
    path,
    parent,
    before,
    after,
    diff,
    message,
    ...(proposal ? { proposal } : {}),
  };
}
