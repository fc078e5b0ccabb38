import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { openLifecycleRepository } from '../../testUtils/git/lifecycleFixtures';
import { hotfixCandidates } from './hotfixCandidates';
import { unreleased } from './unreleased';

jest.setTimeout(60_000);

describe('hotfixCandidates', () => {
  it('lists open hotfix branches and the fixes prod does not run', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      // Prod runs v1.0.1 (the login hotfix, off develop).
      const result = await hotfixCandidates(repository, ONEFLOW, {
        prodSha: fixture.shas.login,
      });
      expect(result.open).toEqual([
        {
          branch: 'hotfix/conflict',
          sha: fixture.shas.conflicting,
          fromTag: 'v1.0.0',
        },
        { branch: 'hotfix/login', sha: fixture.shas.login, fromTag: 'v1.0.0' },
      ]);
      expect(result.candidates.map(c => [c.sha, c.subject, c.type])).toEqual([
        [fixture.shas.footer, 'fix: footer typo', 'fix'],
        [fixture.shas.appLine, 'fix: app line', 'fix'],
      ]);

      // A fix cherry-picked onto an open hotfix is no candidate any more.
      await repository.cherryPick({
        branch: 'hotfix/footer',
        base: 'v1.0.1',
        commits: [fixture.shas.footer],
      });
      const after = await hotfixCandidates(repository, ONEFLOW, {
        prodSha: fixture.shas.login,
      });
      expect(after.candidates.map(c => c.sha)).toEqual([fixture.shas.appLine]);
      expect(after.open.find(o => o.branch === 'hotfix/footer')).toMatchObject({
        fromTag: 'v1.0.1',
      });
    } finally {
      await cleanup();
    }
  });
});

describe('unreleased', () => {
  it('Oneflow: the commits on develop since the latest release and the version they imply', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const result = await unreleased(repository, ONEFLOW);
      expect(result).toMatchObject({
        branch: 'develop',
        latestRelease: { tag: 'v1.0.1', sha: fixture.shas.login },
        bump: 'minor',
        nextVersion: '1.1.0',
      });
      expect(result.commits.map(c => c.subject)).toEqual([
        'fix: app line',
        'fix: footer typo',
        'feat: search',
      ]);
    } finally {
      await cleanup();
    }
  });

  it('GitFlow: counts what the next release merges from the integration branch', async () => {
    const { repository, cleanup } = await openLifecycleRepository();
    try {
      const result = await unreleased(repository, {
        ...GITFLOW,
        tagPattern: 'v{version}',
        branches: {
          release: 'main',
          develop: 'develop',
          hotfix: 'hotfix/{name}',
        },
      });
      expect(result).toMatchObject({
        branch: 'main',
        bump: 'minor',
        nextVersion: '1.1.0',
      });
      expect(result.commits).toHaveLength(3);
    } finally {
      await cleanup();
    }
  });
});
