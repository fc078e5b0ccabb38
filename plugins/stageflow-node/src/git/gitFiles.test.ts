import { join } from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { PlainGitClient } from './PlainGitClient';
import { GithubGitClient } from './GithubGitClient';
import { createGithubOctokit, GithubResponseCache } from './githubOctokit';
import { GitRepository } from './types';
import { UpstreamPolicy } from '../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../resilience/readResilienceConfig';
import { git, makeTempDir } from '../testUtils/git/gitFixtures';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '../testUtils/git/fakeGithubServer';

jest.setTimeout(120_000);

const VALUES = `# prd values
image:
  tag: "1.0.0" # pinned
  digest: sha256:aaa
`;

/** A bare GitOps repository: one values file and an unrelated one. */
async function createGitopsRepository(root: string) {
  const work = join(root, 'work');
  await mkdir(join(work, 'envs', 'prd'), { recursive: true });
  await git(root, ['init', '--quiet', '-b', 'main', work]);
  await writeFile(join(work, 'envs', 'prd', 'values.yaml'), VALUES);
  await writeFile(join(work, 'README.md'), 'GitOps\n');
  await git(work, ['add', '.']);
  await git(work, ['commit', '--quiet', '-m', 'chore: prd values']);
  const path = join(root, 'gitops.git');
  await git(root, ['clone', '--quiet', '--bare', work, path]);
  return { path, head: await git(path, ['rev-parse', 'main']) };
}

describe.each([
  ['plain git over file://', 'plain'],
  ['the GitHub API', 'github'],
] as const)('file operations through %s', (_name, kind) => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let bare: { path: string; head: string };
  let server: FakeGithubServer | undefined;
  let repository: GitRepository;

  beforeEach(async () => {
    temp = await makeTempDir(`git-files-${kind}`);
    bare = await createGitopsRepository(temp.dir);
    if (kind === 'plain') {
      const url = `file://${bare.path}`;
      repository = new PlainGitClient({
        locator: { type: 'git', url },
        remoteUrl: url,
        cacheDir: join(temp.dir, 'cache'),
      });
    } else {
      server = await startFakeGithubServer({
        repositories: { 'acme/gitops': bare.path },
      });
      repository = new GithubGitClient({
        host: 'ghe.example.com',
        owner: 'acme',
        repo: 'gitops',
        octokit: createGithubOctokit({
          apiBaseUrl: server.apiBaseUrl,
          cache: new GithubResponseCache(),
          policy: new UpstreamPolicy({
            kind: 'git',
            host: 'ghe.example.com',
            options: { ...DEFAULT_RESILIENCE, retries: 0 },
          }),
        }),
      });
    }
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await temp.cleanup();
  });

  it('reads a file at a branch and at a commit; an absent file is undefined', async () => {
    await expect(
      repository.readFile('main', 'envs/prd/values.yaml'),
    ).resolves.toBe(VALUES);
    await expect(
      repository.readFile(bare.head, 'envs/prd/values.yaml'),
    ).resolves.toBe(VALUES);
    await expect(
      repository.readFile('main', 'envs/int/values.yaml'),
    ).resolves.toBeUndefined();
    await expect(
      repository.readFile('main', '../outside.yaml'),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('commits one file on the branch, on the commit it was read at', async () => {
    const content = VALUES.replace('sha256:aaa', 'sha256:bbb');
    const commit = await repository.commitFile({
      branch: 'main',
      parent: bare.head,
      path: 'envs/prd/values.yaml',
      content,
      message: 'chore(prd): pin bbb',
    });
    expect(await git(bare.path, ['rev-parse', 'main'])).toBe(commit.sha);
    expect(await git(bare.path, ['rev-parse', `${commit.sha}^`])).toBe(
      bare.head,
    );
    expect(
      await git(bare.path, ['diff', '--name-only', bare.head, commit.sha]),
    ).toBe('envs/prd/values.yaml');
    expect(
      await git(bare.path, ['show', `${commit.sha}:envs/prd/values.yaml`]),
    ).toBe(content.trimEnd());
    expect(commit.message).toMatch(/^chore\(prd\): pin bbb/);
  });

  it('refuses to commit on a branch that moved on, and pushes nothing', async () => {
    const first = await repository.commitFile({
      branch: 'main',
      parent: bare.head,
      path: 'envs/prd/values.yaml',
      content: 'a: 1\n',
      message: 'one',
    });
    await expect(
      repository.commitFile({
        branch: 'main',
        parent: bare.head,
        path: 'envs/prd/values.yaml',
        content: 'a: 2\n',
        message: 'two',
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(await git(bare.path, ['rev-parse', 'main'])).toBe(first.sha);
  });

  it('proposes a change on a new branch, and opens a pull request where the host has them', async () => {
    const commit = await repository.commitFile({
      branch: 'stageflow/promote-prd',
      parent: bare.head,
      createBranch: true,
      path: 'envs/prd/values.yaml',
      content: 'a: 1\n',
      message: 'chore(prd): promote',
    });
    expect(await git(bare.path, ['rev-parse', 'stageflow/promote-prd'])).toBe(
      commit.sha,
    );
    expect(await git(bare.path, ['rev-parse', 'main'])).toBe(bare.head);
    await expect(
      repository.commitFile({
        branch: 'stageflow/promote-prd',
        parent: bare.head,
        createBranch: true,
        path: 'envs/prd/values.yaml',
        content: 'a: 2\n',
        message: 'again',
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    const pull = await repository.openPullRequest({
      head: 'stageflow/promote-prd',
      base: 'main',
      title: 'Promote',
      body: 'What moves',
    });
    // Plain git has no pull requests: the pushed branch is the proposal.
    const opened = (server?.requests ?? [])
      .filter(r => r.operation === 'POST /repos/{owner}/{repo}/pulls')
      .map(r => {
        const body = r.body as any;
        return [body.head.ref, body.base.ref, body.body, body.head.sha];
      });
    const web = server?.apiBaseUrl.replace(/\/api\/v3$/, '');
    expect({ pull, opened }).toEqual(
      kind === 'plain'
        ? { pull: undefined, opened: [] }
        : {
            pull: { number: 1, url: `${web}/acme/gitops/pull/1` },
            opened: [
              ['stageflow/promote-prd', 'main', 'What moves', commit.sha],
            ],
          },
    );
  });
});
