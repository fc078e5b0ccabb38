import { join } from 'node:path';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { PlainGitClient } from '../PlainGitClient';
import { GitConflictError } from '../errors';
import { git, makeTempDir, showRefs } from '../../testUtils/git/gitFixtures';
import { createLifecycleRepository } from '../../testUtils/git/lifecycleFixtures';
import { startGitHttpServer } from '../../testUtils/git/gitHttpServer';

jest.setTimeout(60_000);

async function fileRepository() {
  const temp = await makeTempDir('plain-merges');
  const fixture = await createLifecycleRepository(temp.dir);
  const url = `file://${fixture.path}`;
  const repository = new PlainGitClient({
    locator: { type: 'git', url },
    remoteUrl: url,
    cacheDir: join(temp.dir, 'cache'),
    defaultTagger: { name: 'Stageflow Bot', email: 'bot@acme.example' },
  });
  return { temp, fixture, repository };
}

const parents = (repo: string, sha: string) =>
  git(repo, ['rev-list', '--parents', '-n', '1', sha]).then(line =>
    line.split(' ').slice(1),
  );

describe('PlainGitClient merges', () => {
  it('checks, then merges a hotfix branch into develop with a pushed merge commit', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      const before = await showRefs(fixture.path);
      const check = await repository.checkMerge({
        from: 'hotfix/login',
        into: 'develop',
      });
      expect(check).toMatchObject({
        upToDate: false,
        conflicts: [],
        fromSha: fixture.shas.login,
        intoSha: fixture.shas.appLine,
      });
      expect(check.commits.map(c => c.sha)).toEqual([fixture.shas.login]);
      expect(await showRefs(fixture.path)).toBe(before);

      const merged = await repository.mergeBranch({
        from: 'hotfix/login',
        into: 'develop',
        message: 'chore: merge hotfix/login into develop',
      });
      expect(merged.outcome).toBe('merged');
      expect(merged.commits.map(c => c.sha)).toEqual([fixture.shas.login]);
      expect(await git(fixture.path, ['rev-parse', 'develop'])).toBe(
        merged.sha,
      );
      expect(await parents(fixture.path, merged.sha!)).toEqual([
        fixture.shas.appLine,
        fixture.shas.login,
      ]);
      expect(
        await git(fixture.path, [
          'log',
          '-1',
          '--format=%s|%an|%cn',
          'develop',
        ]),
      ).toBe(
        'chore: merge hotfix/login into develop|Stageflow Bot|Stageflow Bot',
      );
      // The hotfix's tag is now on develop, as Oneflow asks.
      await expect(
        git(fixture.path, ['merge-base', '--is-ancestor', 'v1.0.1', 'develop']),
      ).resolves.toBe('');

      await expect(
        repository.mergeBranch({
          from: 'hotfix/login',
          into: 'develop',
          message: 'again',
        }),
      ).resolves.toEqual({
        outcome: 'up-to-date',
        sha: merged.sha,
        commits: [],
      });
      await expect(
        repository.checkMerge({ from: 'hotfix/login', into: 'develop' }),
      ).resolves.toMatchObject({ upToDate: true, commits: [], conflicts: [] });
    } finally {
      await temp.cleanup();
    }
  });

  it('names the conflicting files and pushes nothing', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      const before = await showRefs(fixture.path);
      await expect(
        repository.checkMerge({ from: 'hotfix/conflict', into: 'develop' }),
      ).resolves.toMatchObject({ upToDate: false, conflicts: ['app.txt'] });
      const error = await repository
        .mergeBranch({
          from: 'hotfix/conflict',
          into: 'develop',
          message: 'chore: merge',
        })
        .catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.name).toBe('ConflictError');
      expect(error.files).toEqual(['app.txt']);
      expect(error.message).toBe(
        'Merging hotfix/conflict into develop conflicts in app.txt; nothing was pushed',
      );
      expect(await showRefs(fixture.path)).toBe(before);
      // The failed merge left nothing in the clone that hurts the next one.
      await expect(
        repository.mergeBranch({
          from: 'hotfix/login',
          into: 'develop',
          message: 'chore: merge hotfix/login',
        }),
      ).resolves.toMatchObject({ outcome: 'merged' });
    } finally {
      await temp.cleanup();
    }
  });

  it('merges the integration branch into the release branch (GitFlow release)', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      const merged = await repository.mergeBranch({
        from: 'develop',
        into: 'main',
        message: 'chore: release',
      });
      // main was behind: still a merge commit, as GitFlow's diagram shows.
      expect(await parents(fixture.path, merged.sha!)).toEqual([
        fixture.shas.init,
        fixture.shas.appLine,
      ]);
      expect(merged.commits.map(c => c.message)).toEqual([
        'fix: app line',
        'fix: footer typo',
        'feat: search',
      ]);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('PlainGitClient cherry-picks', () => {
  it('creates the branch with the commits applied in order, in one push', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      const check = await repository.checkCherryPick({
        base: 'v1.0.0',
        commits: [fixture.shas.footer.slice(0, 10), fixture.shas.search],
      });
      expect(check).toEqual({
        baseSha: fixture.shas.init,
        commits: [fixture.shas.footer, fixture.shas.search],
        conflicts: [],
      });
      const branch = await repository.cherryPick({
        branch: 'hotfix/footer',
        base: 'v1.0.0',
        commits: [fixture.shas.footer, fixture.shas.search],
      });
      expect(await git(fixture.path, ['rev-parse', 'hotfix/footer'])).toBe(
        branch.sha,
      );
      const log = await git(fixture.path, [
        'log',
        '--format=%an|%B',
        '--reverse',
        'v1.0.0..hotfix/footer',
      ]);
      expect(log.split('\n').filter(Boolean)).toEqual([
        'Ada Author|fix: footer typo',
        `(cherry picked from commit ${fixture.shas.footer})`,
        'Ada Author|feat: search',
        `(cherry picked from commit ${fixture.shas.search})`,
      ]);
      expect(
        await git(fixture.path, ['show', 'hotfix/footer:footer.txt']),
      ).toBe('footer without typo');
      await expect(
        repository.cherryPick({
          branch: 'hotfix/footer',
          base: 'v1.0.0',
          commits: [fixture.shas.footer],
        }),
      ).rejects.toThrow('Branch hotfix/footer already exists');
    } finally {
      await temp.cleanup();
    }
  });

  it('fails a conflicting cherry-pick naming commit and files, creating nothing', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      const before = await showRefs(fixture.path);
      await expect(
        repository.checkCherryPick({
          base: 'hotfix/conflict',
          commits: [fixture.shas.footer, fixture.shas.appLine],
        }),
      ).resolves.toMatchObject({
        conflicts: [{ commit: fixture.shas.appLine, files: ['app.txt'] }],
      });
      const error = await repository
        .cherryPick({
          branch: 'hotfix/picks',
          base: 'hotfix/conflict',
          commits: [fixture.shas.footer, fixture.shas.appLine],
        })
        .catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error.message).toBe(
        `Cherry-picking ${fixture.shas.appLine.slice(
          0,
          7,
        )} onto hotfix/conflict conflicts in app.txt; nothing was pushed`,
      );
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('PlainGitClient on one clone', () => {
  it('runs concurrent merges, cherry-picks and reads one at a time, each succeeding', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      // Two clients of one remote share the clone and its mutex.
      const other = new PlainGitClient({
        locator: { type: 'git', url: `file://${fixture.path}` },
        remoteUrl: `file://${fixture.path}`,
        cacheDir: join(temp.dir, 'cache'),
      });
      const [merged, picked, tags] = await Promise.all([
        repository.mergeBranch({
          from: 'hotfix/login',
          into: 'develop',
          message: 'chore: merge hotfix/login into develop',
        }),
        other.cherryPick({
          branch: 'hotfix/footer',
          base: 'v1.0.0',
          commits: [fixture.shas.footer],
        }),
        other.listTags(),
      ]);
      expect(await git(fixture.path, ['rev-parse', 'develop'])).toBe(
        merged.sha,
      );
      expect(await git(fixture.path, ['rev-parse', 'hotfix/footer'])).toBe(
        picked.sha,
      );
      expect(tags.map(t => t.name).sort()).toEqual(['v1.0.0', 'v1.0.1']);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('PlainGitClient branch deletion', () => {
  it('deletes a branch only while it points where the caller expects', async () => {
    const { temp, fixture, repository } = await fileRepository();
    try {
      await expect(
        repository.deleteBranch('hotfix/login', {
          expectedSha: fixture.shas.init,
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      await repository.deleteBranch('hotfix/login', {
        expectedSha: fixture.shas.login,
      });
      expect(await showRefs(fixture.path)).not.toContain(
        'refs/heads/hotfix/login',
      );
      // Its release tag stays.
      expect(await showRefs(fixture.path)).toContain('refs/tags/v1.0.1');
      await expect(
        repository.deleteBranch('hotfix/login'),
      ).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('PlainGitClient lifecycle over smart HTTP with basic auth', () => {
  it('merges and cherry-picks, fetching the blobs it needs with the credentials', async () => {
    const temp = await makeTempDir('plain-merges-http');
    const fixture = await createLifecycleRepository(temp.dir);
    const credentials = { username: 'stageflow', password: 's3cret-pass' };
    const server = await startGitHttpServer({
      projectRoot: temp.dir,
      credentials,
    });
    try {
      const repository = new PlainGitClient({
        locator: { type: 'git', url: 'https://git.acme.test/lifecycle.git' },
        remoteUrl: `${server.url}/lifecycle.git`,
        credentials,
        cacheDir: join(temp.dir, 'cache'),
      });
      const merged = await repository.mergeBranch({
        from: 'hotfix/login',
        into: 'develop',
        message: 'chore: merge hotfix/login into develop',
      });
      expect(await git(fixture.path, ['rev-parse', 'develop'])).toBe(
        merged.sha,
      );
      const picked = await repository.cherryPick({
        branch: 'hotfix/footer',
        base: 'v1.0.1',
        commits: [fixture.shas.footer],
      });
      expect(await git(fixture.path, ['rev-parse', 'hotfix/footer^'])).toBe(
        fixture.shas.login,
      );
      expect(picked.sha).toBe(
        await git(fixture.path, ['rev-parse', 'hotfix/footer']),
      );
      expect(server.requests.every(r => r.status !== 401)).toBe(true);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});
