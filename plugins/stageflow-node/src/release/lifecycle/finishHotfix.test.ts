import { InputError } from '@backstage/errors';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { GitConflictError } from '../../git/errors';
import { git, showRefs } from '../../testUtils/git/gitFixtures';
import { openLifecycleRepository } from '../../testUtils/git/lifecycleFixtures';
import { finishHotfix } from './finishHotfix';

jest.setTimeout(60_000);

// The fixture's release branch is `main` and integration branch `develop`.
const GITFLOW_ON_FIXTURE = {
  ...GITFLOW,
  tagPattern: 'v{version}',
  branches: { release: 'main', develop: 'develop', hotfix: 'hotfix/{name}' },
};

const contains = (repo: string, ref: string, branch: string) =>
  git(repo, ['merge-base', '--is-ancestor', ref, branch]).then(
    () => true,
    () => false,
  );

describe('finishHotfix', () => {
  it('Oneflow: merges the hotfix branch into develop and deletes it', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const result = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/login',
        deleteBranch: true,
      });
      const develop = await git(fixture.path, ['rev-parse', 'develop']);
      expect(result).toEqual({
        from: 'hotfix/login',
        into: 'develop',
        outcome: 'merged',
        sha: develop,
        mergeable: true,
        branchDeleted: true,
        dryRun: false,
        plan: `Finished hotfix/login: merge hotfix/login into develop (${develop.slice(
          0,
          7,
        )}); deleted hotfix/login`,
        steps: [
          {
            from: 'hotfix/login',
            into: 'develop',
            outcome: 'merged',
            sha: develop,
            mergeable: true,
          },
        ],
      });
      // The hotfix tag is not lost with its branch: develop contains it.
      expect(await contains(fixture.path, 'v1.0.1', 'develop')).toBe(true);
      expect(await showRefs(fixture.path)).not.toContain('hotfix/login');
    } finally {
      await cleanup();
    }
  });

  it('dry run: says what would merge and whether it conflicts, changing nothing', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const before = await showRefs(fixture.path);
      const clean = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/login',
        deleteBranch: true,
        dryRun: true,
      });
      expect(clean).toMatchObject({
        outcome: 'merged',
        mergeable: true,
        branchDeleted: false,
        dryRun: true,
        plan: 'Dry run: finishing hotfix/login: would merge hotfix/login into develop; would delete hotfix/login',
      });
      const conflicting = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/conflict',
        dryRun: true,
      });
      expect(conflicting).toMatchObject({
        mergeable: false,
        conflicts: ['app.txt'],
        plan: 'Dry run: finishing hotfix/conflict: would merge hotfix/conflict into develop, which conflicts in app.txt',
      });
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('fails a conflicting merge naming the files, pushing and deleting nothing', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const before = await showRefs(fixture.path);
      const error = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/conflict',
        deleteBranch: true,
      }).catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error.message).toBe(
        'Merging hotfix/conflict into develop conflicts in app.txt; nothing was pushed',
      );
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('GitFlow: brings the hotfix onto main, then merges main into the integration branch', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const result = await finishHotfix(repository, GITFLOW_ON_FIXTURE, {
        branch: 'hotfix/login',
      });
      expect(result.steps.map(s => [s.from, s.into, s.outcome])).toEqual([
        ['hotfix/login', 'main', 'merged'],
        ['main', 'develop', 'merged'],
      ]);
      expect(result).toMatchObject({
        from: 'main',
        into: 'develop',
        branchDeleted: false,
      });
      expect(await contains(fixture.path, 'v1.0.1', 'main')).toBe(true);
      expect(await contains(fixture.path, 'v1.0.1', 'develop')).toBe(true);
      expect(await contains(fixture.path, 'main', 'develop')).toBe(true);

      // Finishing again finds nothing left to merge.
      const again = await finishHotfix(repository, GITFLOW_ON_FIXTURE, {
        branch: 'hotfix/login',
      });
      expect(again.steps.map(s => s.outcome)).toEqual([
        'up-to-date',
        'up-to-date',
      ]);
    } finally {
      await cleanup();
    }
  });

  it.each([
    [
      'develop',
      'branch must be a hotfix branch of the oneflow flow (hotfix/{name})',
    ],
    ['hotfix/', 'branch must be a hotfix branch'],
    ['hotfix/nope', 'branch hotfix/nope does not exist in the repository'],
  ])('refuses %s and changes nothing', async (branch, message) => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const before = await showRefs(fixture.path);
      const error = await finishHotfix(repository, ONEFLOW, { branch }).catch(
        e => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain(message);
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });
});
