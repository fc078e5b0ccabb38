import { ConflictError } from '@backstage/errors';
import {
  FlowDefinition,
  nextVersion,
  Release,
} from '@stageflow/plugin-stageflow-common';
import { GitConflictError } from '../../git/errors';
import type { GitRepository } from '../../git/types';
import type { StartHotfixResult } from '../types';
import { hotfixBranch } from './lifecycleCommits';

/** @public */
export interface StartHotfixInput {
  /** The hotfix's name: the branch is the flow's pattern, e.g. `hotfix/<name>`. */
  name: string;
  /** The release the hotfix starts from. */
  from: Release;
  /** Commits applied onto the new branch, in order. */
  cherryPick?: string[];
  dryRun?: boolean;
}

/** @public */
export type StartHotfixOutcome = Omit<StartHotfixResult, 'entityRef'> & {
  /** The full shas cherry-picked, in order. */
  cherryPicked: string[];
};

/**
 * Starts a hotfix from a release: creates the hotfix branch at the release
 * tag and, when asked, cherry-picks commits onto it (a real cherry-pick in
 * the clone, then one push). A dry run refuses what the real run would (an
 * existing branch, a conflicting cherry-pick), without pushing.
 *
 * @public
 */
export async function startHotfixWithCherryPicks(
  repository: GitRepository,
  flow: FlowDefinition,
  input: StartHotfixInput,
): Promise<StartHotfixOutcome> {
  const branch = hotfixBranch(flow, input.name);
  const picks = input.cherryPick ?? [];
  const dryRun = input.dryRun ?? false;
  const next = nextVersion(input.from.version, 'patch');
  const picked = picks.length
    ? ` with ${picks.length} cherry-picked commit${
        picks.length === 1 ? '' : 's'
      }`
    : '';
  let sha = input.from.sha;
  let cherryPicked: string[] = [];
  if (dryRun) {
    const branches = await repository.listBranches();
    if (branches.some(b => b.name === branch)) {
      throw new ConflictError(`Branch ${branch} already exists`);
    }
    if (picks.length) {
      const check = await repository.checkCherryPick({
        base: input.from.sha,
        commits: picks,
      });
      const conflict = check.conflicts[0];
      if (conflict) {
        throw new GitConflictError(
          `Cherry-picking ${conflict.commit.slice(0, 7)} onto ${
            input.from.tag
          } would conflict in ${conflict.files.join(', ')}`,
          conflict,
        );
      }
      cherryPicked = check.commits;
    }
  } else if (picks.length) {
    const created = await repository.cherryPick({
      branch,
      base: input.from.sha,
      commits: picks,
    });
    sha = created.sha;
    cherryPicked = await Promise.all(
      picks.map(async ref => (await repository.resolveCommit(ref)).sha),
    );
  } else {
    sha = (await repository.createBranch(branch, input.from.sha)).sha;
  }
  return {
    branch,
    sha,
    fromTag: input.from.tag,
    nextVersion: next,
    cherryPicked,
    plan: `${dryRun ? 'Would create' : 'Created'} ${branch} at ${
      input.from.tag
    } (${input.from.sha.slice(0, 7)})${picked}; it will be released as ${next}`,
    dryRun,
  };
}
