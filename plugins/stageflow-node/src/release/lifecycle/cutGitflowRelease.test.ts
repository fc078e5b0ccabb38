import { InputError } from '@backstage/errors';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { GitConflictError } from '../../git/errors';
import { git, showRefs } from '../../testUtils/git/gitFixtures';
import { openLifecycleRepository } from '../../testUtils/git/lifecycleFixtures';
import { cutGitflowRelease } from './cutGitflowRelease';
import { publishRelease } from './publishRelease';

jest.setTimeout(60_000);

const flow = {
  ...GITFLOW,
  tagPattern: 'v{version}',
  branches: { release: 'main', develop: 'develop', hotfix: 'hotfix/{name}' },
};

describe('cutGitflowRelease', () => {
  it('merges the integration branch into the release branch; the bump comes from what it brings', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      const before = await showRefs(fixture.path);
      const planned = await cutGitflowRelease(repository, flow, {
        dryRun: true,
      });
      expect(planned).toMatchObject({
        from: 'develop',
        into: 'main',
        outcome: 'merged',
        conflicts: [],
        baseTag: 'v1.0.1',
        bump: 'minor',
        nextVersion: '1.1.0',
      });
      expect(planned.sha).toBeUndefined();
      expect(await showRefs(fixture.path)).toBe(before);

      const cut = await cutGitflowRelease(repository, flow);
      const main = await git(fixture.path, ['rev-parse', 'main']);
      expect(cut).toMatchObject({
        outcome: 'merged',
        sha: main,
        bump: 'minor',
      });
      expect(cut.commits.map(c => c.message).sort()).toEqual(
        ['feat: search', 'fix: app line', 'fix: footer typo'].sort(),
      );
      expect(
        await git(fixture.path, ['log', '-1', '--format=%s', 'main']),
      ).toBe('chore: release 1.1.0');

      // The caller then tags the merge with its notes.
      const published = await publishRelease(repository, {
        tag: 'v1.1.0',
        sha: cut.sha!,
        baseTag: 'v1.0.0',
      });
      expect(published.hostRelease).toBeUndefined();
      expect(await git(fixture.path, ['rev-parse', 'v1.1.0^{commit}'])).toBe(
        main,
      );
      const message = await git(fixture.path, [
        'tag',
        '-l',
        '--format=%(contents)',
        'v1.1.0',
      ]);
      expect(message).toBe(published.notes);
      expect(message).toBe(
        [
          '### Features',
          '',
          `- search (${fixture.shas.search.slice(0, 7)})`,
          '',
          '### Fixes',
          '',
          `- footer typo (${fixture.shas.footer.slice(0, 7)})`,
          `- app line (${fixture.shas.appLine.slice(0, 7)})`,
          '',
          '### Others',
          '',
          `- chore: release 1.1.0 (${main.slice(0, 7)})`,
        ].join('\n'),
      );
    } finally {
      await cleanup();
    }
  });

  it('fails a conflicting merge naming the files and pushes nothing', async () => {
    const { fixture, repository, cleanup } = await openLifecycleRepository();
    try {
      // A hotfix that reached main but not develop changes app.txt both ways.
      await git(fixture.path, [
        'update-ref',
        'refs/heads/main',
        fixture.shas.conflicting,
      ]);
      const before = await showRefs(fixture.path);
      await expect(
        cutGitflowRelease(repository, flow, { dryRun: true }),
      ).resolves.toMatchObject({ conflicts: ['app.txt'] });
      const error = await cutGitflowRelease(repository, flow).catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error.files).toEqual(['app.txt']);
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('refuses a flow that releases from its integration branch', async () => {
    const { repository, cleanup } = await openLifecycleRepository();
    try {
      await expect(cutGitflowRelease(repository, ONEFLOW)).rejects.toThrow(
        InputError,
      );
    } finally {
      await cleanup();
    }
  });
});
