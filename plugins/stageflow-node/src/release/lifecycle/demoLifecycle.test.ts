import { join } from 'node:path';
import { GITFLOW, ONEFLOW } from '@stageflow/plugin-stageflow-common';
import { generateDemoData } from '../../demo/generateDemoData';
import { PlainGitClient } from '../../git/PlainGitClient';
import { listReleases } from '../../git/listReleases';
import { git, makeTempDir } from '../../testUtils/git/gitFixtures';
import { cutGitflowRelease } from './cutGitflowRelease';
import { finishHotfix } from './finishHotfix';
import { hotfixCandidates } from './hotfixCandidates';
import { publishRelease } from './publishRelease';
import { startHotfixWithCherryPicks } from './startHotfixWithCherryPicks';
import { unreleased } from './unreleased';

jest.setTimeout(120_000);

/** The issue's "done when", on the demo's generated repositories. */
describe('the branch lifecycle on the demo data', () => {
  let cleanup: () => Promise<void>;
  let gitDir: string;
  let cacheDir: string;

  beforeAll(async () => {
    const temp = await makeTempDir('demo-lifecycle');
    cleanup = temp.cleanup;
    const data = await generateDemoData(join(temp.dir, 'demo'));
    gitDir = data.gitDir;
    cacheDir = join(temp.dir, 'cache');
  });

  afterAll(() => cleanup?.());

  const open = (app: string) => {
    const url = `file://${join(gitDir, 'acme', `${app}.git`)}`;
    return {
      path: join(gitDir, 'acme', `${app}.git`),
      repository: new PlainGitClient({
        locator: { type: 'git', url },
        remoteUrl: url,
        cacheDir,
      }),
    };
  };

  it('Goldie (GitFlow, bump auto): merges dev into main and tags the merge 1.3.0', async () => {
    const { path, repository } = open('goldie');
    const pending = await unreleased(repository, GITFLOW);
    expect(pending).toMatchObject({
      branch: 'main',
      latestRelease: { tag: '1.2.1' },
      bump: 'minor',
      nextVersion: '1.3.0',
    });
    expect(pending.commits.map(c => c.subject)).toContain(
      'feat: restore from a backup',
    );

    const cut = await cutGitflowRelease(repository, GITFLOW, {
      message: 'chore: release 1.3.0',
    });
    expect(cut).toMatchObject({
      from: 'dev',
      into: 'main',
      outcome: 'merged',
      nextVersion: '1.3.0',
    });
    const published = await publishRelease(repository, {
      tag: cut.nextVersion!,
      sha: cut.sha!,
      baseTag: cut.baseTag,
    });
    expect(await git(path, ['rev-parse', '1.3.0^{commit}'])).toBe(
      await git(path, ['rev-parse', 'main']),
    );
    expect(
      await git(path, ['rev-list', '--parents', '-n', '1', 'main']),
    ).toContain(await git(path, ['rev-parse', 'dev']));
    expect(published.notes).toMatch(
      /### Features\n\n- restore from a backup \([0-9a-f]{7}\)/,
    );
    expect(published.notes).toMatch(/### Fixes\n\n- expose metrics on 9187/);
  });

  it('Phippy (Oneflow): a hotfix from the latest release with a fix cherry-picked, tagged, then finished into develop', async () => {
    const { path, repository } = open('phippy');
    const releases = await listReleases(repository, ONEFLOW.tagPattern);
    const prod = releases.find(r => r.tag === 'v1.2.1')!;
    const { candidates } = await hotfixCandidates(repository, ONEFLOW, {
      prodSha: prod.sha,
      releases,
    });
    expect(candidates.map(c => c.subject)).toEqual(['fix: footer typo']);

    const latest = releases[0];
    expect(latest.tag).toBe('v1.3.0');
    const started = await startHotfixWithCherryPicks(repository, ONEFLOW, {
      name: 'footer',
      from: latest,
      cherryPick: [candidates[0].sha],
    });
    expect(started).toMatchObject({
      branch: 'hotfix/footer',
      fromTag: 'v1.3.0',
      nextVersion: '1.3.1',
    });
    const tagged = await publishRelease(repository, {
      tag: 'v1.3.1',
      sha: started.sha,
      baseTag: 'v1.3.0',
    });
    expect(tagged.notes).toMatch(
      /^### Fixes\n\n- footer typo \([0-9a-f]{7}\)$/,
    );

    const finished = await finishHotfix(repository, ONEFLOW, {
      branch: 'hotfix/footer',
      deleteBranch: true,
    });
    expect(finished).toMatchObject({
      into: 'develop',
      outcome: 'merged',
      branchDeleted: true,
    });
    await expect(
      git(path, ['merge-base', '--is-ancestor', 'v1.3.1', 'develop']),
    ).resolves.toBe('');

    // Once prod runs v1.3.1, the cherry-picked fix is no candidate any more.
    const after = await hotfixCandidates(repository, ONEFLOW, {
      prodSha: started.sha,
    });
    expect(after.candidates).toEqual([]);
  });
});
