import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import {
  ConflictError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { createGithubOctokit, GithubResponseCache } from './githubOctokit';
import { GithubGitClient } from './GithubGitClient';
import { GitConflictError } from './errors';
import { startFakeGithubServer } from '../testUtils/git/fakeGithubServer';
import { git, makeTempDir, showRefs } from '../testUtils/git/gitFixtures';
import { createLifecycleRepository } from '../testUtils/git/lifecycleFixtures';
import { finishHotfix } from '../release/lifecycle/finishHotfix';
import { cutGitflowRelease } from '../release/lifecycle/cutGitflowRelease';
import { publishRelease } from '../release/lifecycle/publishRelease';

jest.setTimeout(60_000);

async function setup() {
  const temp = await makeTempDir('github-lifecycle');
  const fixture = await createLifecycleRepository(temp.dir);
  const server = await startFakeGithubServer({
    repositories: { 'acme/phippy': fixture.path },
    token: 'test-token',
  });
  const repository = new GithubGitClient({
    host: 'ghe.example.com',
    owner: 'acme',
    repo: 'phippy',
    octokit: createGithubOctokit({
      apiBaseUrl: server.apiBaseUrl,
      cache: new GithubResponseCache(),
      getToken: async () => 'test-token',
      policy: new UpstreamPolicy({
        kind: 'git',
        host: 'ghe.example.com',
        options: { ...DEFAULT_RESILIENCE, backoffMs: 1 },
      }),
    }),
  });
  return {
    fixture,
    server,
    repository,
    cleanup: async () => {
      await server.close();
      await temp.cleanup();
    },
  };
}

describe('GithubGitClient branch lifecycle', () => {
  it('finishes a hotfix with a pull request that reports whether it can merge', async () => {
    const { fixture, server, repository, cleanup } = await setup();
    try {
      const before = await showRefs(fixture.path);
      const planned = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/login',
        dryRun: true,
      });
      expect(planned).toMatchObject({ outcome: 'pull-request', dryRun: true });
      expect(planned.mergeable).toBeUndefined();

      const finished = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/login',
        deleteBranch: true,
      });
      expect(finished).toMatchObject({
        from: 'hotfix/login',
        into: 'develop',
        outcome: 'pull-request',
        pullRequestUrl: expect.stringMatching(/\/acme\/phippy\/pull\/1$/),
        mergeable: true,
        branchDeleted: false,
      });
      // A pull request changes no ref; the branch stays until it merges.
      expect(await showRefs(fixture.path)).toBe(before);
      expect(
        server.countBy(r => r.method === 'POST' && r.path.endsWith('/pulls')),
      ).toBe(1);

      // Finishing again finds the open pull request instead of a second one.
      const again = await finishHotfix(repository, ONEFLOW, {
        branch: 'hotfix/login',
      });
      expect(again.pullRequestUrl).toBe(finished.pullRequestUrl);
      expect(
        server.countBy(r => r.method === 'POST' && r.path.endsWith('/pulls')),
      ).toBe(1);

      const conflicting = await repository.mergeBranch({
        from: 'hotfix/conflict',
        into: 'develop',
        message: 'chore: merge hotfix/conflict into develop',
        via: 'pull-request',
      });
      expect(conflicting.pullRequest).toMatchObject({ mergeable: false });
    } finally {
      await cleanup();
    }
  });

  it('cuts a GitFlow release through the merges API and publishes a release with linked notes', async () => {
    const { fixture, repository, cleanup } = await setup();
    try {
      const flow = {
        ...GITFLOW,
        tagPattern: 'v{version}',
        branches: {
          release: 'main',
          develop: 'develop',
          hotfix: 'hotfix/{name}',
        },
      };
      const cut = await cutGitflowRelease(repository, flow, {
        message: 'chore: release 1.1.0',
      });
      const main = await git(fixture.path, ['rev-parse', 'main']);
      expect(cut).toMatchObject({
        outcome: 'merged',
        sha: main,
        bump: 'minor',
        nextVersion: '1.1.0',
      });
      expect(
        await git(fixture.path, ['rev-list', '--parents', '-n', '1', main]),
      ).toBe(`${main} ${fixture.shas.init} ${fixture.shas.appLine}`);
      await expect(
        repository.mergeBranch({
          from: 'develop',
          into: 'main',
          message: 'again',
        }),
      ).resolves.toMatchObject({ outcome: 'up-to-date' });

      const published = await publishRelease(repository, {
        tag: 'v1.1.0',
        sha: main,
        baseTag: 'v1.0.0',
      });
      expect(published.notes).toContain(
        `- search ([${fixture.shas.search.slice(
          0,
          7,
        )}](https://ghe.example.com/acme/phippy/commit/${
          fixture.shas.search
        }))`,
      );
      expect(published.hostRelease).toEqual({
        tag: 'v1.1.0',
        name: 'v1.1.0',
        notes: published.notes,
        url: expect.stringMatching(/\/acme\/phippy\/releases\/tag\/v1\.1\.0$/),
        prerelease: false,
      });
      expect(
        await git(fixture.path, [
          'tag',
          '-l',
          '--format=%(contents)',
          'v1.1.0',
        ]),
      ).toBe(published.notes);
    } finally {
      await cleanup();
    }
  });

  it('fails a conflicting merge with nothing merged', async () => {
    const { fixture, repository, cleanup } = await setup();
    try {
      const before = await showRefs(fixture.path);
      const error = await repository
        .mergeBranch({ from: 'hotfix/conflict', into: 'develop', message: 'x' })
        .catch(e => e);
      expect(error).toBeInstanceOf(GitConflictError);
      expect(error.name).toBe('ConflictError');
      expect(await showRefs(fixture.path)).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('deletes a branch only where the caller expects it, and refuses cherry-picks clearly', async () => {
    const { fixture, repository, cleanup } = await setup();
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
      await expect(
        repository.deleteBranch('hotfix/login'),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(repository.cherryPick()).rejects.toBeInstanceOf(
        NotImplementedError,
      );
    } finally {
      await cleanup();
    }
  });
});
