/* eslint-disable jest/no-export -- a shared suite that each client's test file runs */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { listReleases } from '../../git/listReleases';
import type { GitRepository } from '../../git/types';
import {
  DEMO_ANNOTATED_TAG_DATE,
  DemoRepository,
  git,
  showRefs,
} from './gitFixtures';

/** What a client under test brings to the contract suite. */
export interface GitContractContext {
  repository: GitRepository;
  /** The demo repository ({@link createDemoRepository}) behind the client. */
  demo: DemoRepository;
  /** Requests or commands that reached the server so far. */
  requestCount(): number;
}

const BAD_REF_NAMES = [
  'hotfix/../x',
  '-x',
  'a b',
  'x.lock',
  'a@{b',
  'a..b',
  'x/',
  'x.',
  '@',
  '.x',
  'a//b',
  'a~1',
];

/**
 * The behaviour every GitRepository implementation must have, run against
 * a fresh demo repository.
 */
export function runGitContract(
  name: string,
  setup: () => Promise<GitContractContext & { teardown(): Promise<void> }>,
) {
  describe(`${name} (git repository contract)`, () => {
    let context: GitContractContext & { teardown(): Promise<void> };
    let repository: GitRepository;
    let commits: Record<number, string>;

    beforeAll(async () => {
      context = await setup();
      repository = context.repository;
      commits = context.demo.commits;
    });

    afterAll(async () => {
      await context?.teardown();
    });

    it('lists lightweight and annotated tags peeled to their commits', async () => {
      const tags = await repository.listTags();
      expect(tags.map(t => t.name).sort()).toEqual(
        [
          '1.5.0',
          'nightly',
          'v1.0.0',
          'v1.1.0',
          'v1.10.0',
          'v1.2.0',
          'v1.2.0-rc.1',
        ].sort(),
      );
      const byName = Object.fromEntries(tags.map(t => [t.name, t]));
      expect(byName['v1.0.0']).toMatchObject({
        sha: commits[1],
        annotated: false,
      });
      expect(byName['v1.1.0']).toMatchObject({
        sha: commits[2],
        annotated: true,
        message: 'Release 1.1.0',
      });
      expect(Date.parse(byName['v1.1.0'].date!)).toBe(
        Date.parse(DEMO_ANNOTATED_TAG_DATE),
      );
      expect(byName['v1.10.0']).toMatchObject({
        sha: commits[5],
        annotated: true,
      });
    });

    it('lists releases newest SemVer first, ignoring tags of other patterns', async () => {
      const releases = await listReleases(repository, 'v{version}');
      expect(
        releases.map(r => [r.tag, r.version, r.sha, r.prerelease]),
      ).toEqual([
        ['v1.10.0', '1.10.0', commits[5], false],
        ['v1.2.0', '1.2.0', commits[3], false],
        ['v1.2.0-rc.1', '1.2.0-rc.1', commits[3], true],
        ['v1.1.0', '1.1.0', commits[2], false],
        ['v1.0.0', '1.0.0', commits[1], false],
      ]);
      expect(
        (await listReleases(repository, '{version}')).map(r => r.tag),
      ).toEqual(['1.5.0']);
    });

    it('lists branches and the default branch', async () => {
      const branches = await repository.listBranches();
      expect(
        branches
          .filter(b => ['main', 'develop'].includes(b.name))
          .sort((a, b) => a.name.localeCompare(b.name)),
      ).toEqual([
        { name: 'develop', sha: commits[5] },
        { name: 'main', sha: commits[3] },
      ]);
      await expect(repository.getDefaultBranch()).resolves.toBe('main');
    });

    it('resolves branches, tags and shas to commits', async () => {
      const main = await repository.resolveCommit('main');
      expect(main).toMatchObject({
        sha: commits[3],
        message: 'fix: null check in login',
        author: { name: 'Ada Author', email: 'ada@example.com' },
      });
      expect(Date.parse(main.date!)).toBe((1700000000 + 3 * 3600) * 1000);
      expect((await repository.resolveCommit('v1.1.0')).sha).toBe(commits[2]);
      expect((await repository.resolveCommit('v1.0.0')).sha).toBe(commits[1]);
      expect((await repository.resolveCommit(commits[4])).message).toBe(
        'feat!: drop the v1 API\n\nBREAKING CHANGE: v1 is gone',
      );
      expect(
        (await repository.resolveCommit(commits[4].slice(0, 10))).sha,
      ).toBe(commits[4]);
      await expect(
        repository.resolveCommit('no-such-branch'),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('compares refs with counts and commits, newest first', async () => {
      const ahead = await repository.compare('main', 'develop');
      expect(ahead.aheadBy).toBe(2);
      expect(ahead.behindBy).toBe(0);
      expect(ahead.commits.map(c => c.sha)).toEqual([commits[5], commits[4]]);
      expect(ahead.commits[0]).toMatchObject({
        message: 'docs: readme',
        author: { name: 'Ada Author' },
      });

      const behind = await repository.compare('develop', 'main');
      expect(behind).toEqual({ aheadBy: 0, behindBy: 2, commits: [] });

      const fromTag = await repository.compare('v1.0.0', commits[3]);
      expect(fromTag.aheadBy).toBe(2);
      expect(fromTag.commits.map(c => c.sha)).toEqual([commits[3], commits[2]]);
      await expect(
        repository.compare('main', 'no-such-branch'),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('creates a branch once, then reports a conflict', async () => {
      await expect(
        repository.createBranch('hotfix/login', commits[2]),
      ).resolves.toEqual({
        name: 'hotfix/login',
        sha: commits[2],
      });
      expect(
        await git(context.demo.path, ['rev-parse', 'refs/heads/hotfix/login']),
      ).toBe(commits[2]);
      await expect(
        repository.createBranch('hotfix/login', commits[3]),
      ).rejects.toBeInstanceOf(ConflictError);
      // A fast-forward of an existing branch is still not a creation.
      await expect(
        repository.createBranch('main', commits[5]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(
        await git(context.demo.path, ['rev-parse', 'refs/heads/hotfix/login']),
      ).toBe(commits[2]);
      expect(
        await git(context.demo.path, ['rev-parse', 'refs/heads/main']),
      ).toBe(commits[3]);
      expect((await repository.listBranches()).map(b => b.name)).toContain(
        'hotfix/login',
      );
    });

    it('creates an annotated tag once, then reports a conflict', async () => {
      const tag = await repository.createTag({
        name: 'v1.11.0',
        sha: commits[5],
        message: 'Release 1.11.0',
        tagger: {
          name: 'Rita Releaser',
          email: 'rita@example.com',
          date: '2024-05-01T10:00:00Z',
        },
      });
      expect(tag).toMatchObject({
        name: 'v1.11.0',
        sha: commits[5],
        annotated: true,
      });
      expect(
        await git(context.demo.path, ['cat-file', '-t', 'refs/tags/v1.11.0']),
      ).toBe('tag');
      expect(
        await git(context.demo.path, [
          'rev-parse',
          'refs/tags/v1.11.0^{commit}',
        ]),
      ).toBe(commits[5]);
      const listed = (await repository.listTags()).find(
        t => t.name === 'v1.11.0',
      );
      expect(listed).toMatchObject({
        sha: commits[5],
        annotated: true,
        message: 'Release 1.11.0',
      });
      expect(Date.parse(listed!.date!)).toBe(
        Date.parse('2024-05-01T10:00:00Z'),
      );
      expect((await listReleases(repository, 'v{version}'))[0].tag).toBe(
        'v1.11.0',
      );

      await expect(
        repository.createTag({
          name: 'v1.11.0',
          sha: commits[4],
          message: 'again',
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        repository.createTag({
          name: 'v1.0.0',
          sha: commits[5],
          message: 'move it',
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(
        await git(context.demo.path, [
          'rev-parse',
          'refs/tags/v1.11.0^{commit}',
        ]),
      ).toBe(commits[5]);
      expect(
        await git(context.demo.path, ['rev-parse', 'refs/tags/v1.0.0']),
      ).toBe(commits[1]);
    });

    it('refuses bad ref names before anything reaches the server', async () => {
      const refsBefore = await showRefs(context.demo.path);
      const requestsBefore = context.requestCount();
      for (const bad of BAD_REF_NAMES) {
        await expect(
          repository.createBranch(bad, commits[1]),
        ).rejects.toBeInstanceOf(InputError);
        await expect(
          repository.createTag({ name: bad, sha: commits[1], message: 'x' }),
        ).rejects.toBeInstanceOf(InputError);
        await expect(repository.resolveCommit(bad)).rejects.toBeInstanceOf(
          InputError,
        );
        await expect(repository.compare('main', bad)).rejects.toBeInstanceOf(
          InputError,
        );
      }
      await expect(
        repository.createBranch('ok-name', 'a b'),
      ).rejects.toBeInstanceOf(InputError);
      expect(context.requestCount()).toBe(requestsBefore);
      expect(await showRefs(context.demo.path)).toBe(refsBefore);
    });
  });
}
