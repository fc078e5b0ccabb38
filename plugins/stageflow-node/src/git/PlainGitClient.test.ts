import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlainGitClient } from './PlainGitClient';
import { UpstreamError } from '../resilience/UpstreamError';
import { runGitContract } from '../testUtils/git/gitContract';
import {
  createDemoRepository,
  git,
  makeTempDir,
} from '../testUtils/git/gitFixtures';
import { startGitHttpServer } from '../testUtils/git/gitHttpServer';

jest.setTimeout(60_000);

runGitContract('PlainGitClient over file://', async () => {
  const temp = await makeTempDir('plain-file');
  const demo = await createDemoRepository(temp.dir);
  const url = `file://${demo.path}`;
  const repository = new PlainGitClient({
    locator: { type: 'git', url },
    remoteUrl: url,
    cacheDir: join(temp.dir, 'cache'),
  });
  return {
    repository,
    demo,
    // No server to count requests: the suite's check that the repository's
    // refs are unchanged is what shows nothing reached it.
    requestCount: () => 0,
    teardown: temp.cleanup,
  };
});

runGitContract('PlainGitClient over smart HTTP with basic auth', async () => {
  const temp = await makeTempDir('plain-http');
  const demo = await createDemoRepository(temp.dir);
  await git(demo.path, ['config', 'http.receivepack', 'true']);
  await git(demo.path, ['config', 'uploadpack.allowFilter', 'true']);
  const credentials = { username: 'stageflow', password: 's3cret-pass' };
  const server = await startGitHttpServer({
    projectRoot: temp.dir,
    credentials,
  });
  const repository = new PlainGitClient({
    locator: { type: 'git', url: 'https://git.acme.test/demo.git' },
    remoteUrl: `${server.url}/demo.git`,
    credentials,
    cacheDir: join(temp.dir, 'cache'),
  });
  return {
    repository,
    demo,
    requestCount: () => server.requests.length,
    teardown: async () => {
      await server.close();
      await temp.cleanup();
    },
  };
});

runGitContract('PlainGitClient over ssh://', async () => {
  const temp = await makeTempDir('plain-ssh');
  const demo = await createDemoRepository(temp.dir);
  await git(demo.path, ['config', 'uploadpack.allowFilter', 'true']);
  // No sshd on a test machine: git's ssh transport runs GIT_SSH_COMMAND
  // with the host and the remote command (git-upload-pack '<path>'); this
  // stand-in runs that command here and logs it, so the client speaks the
  // git protocol over a pipe exactly as it would over ssh.
  const log = join(temp.dir, 'ssh.log');
  const ssh = join(temp.dir, 'ssh');
  await writeFile(
    ssh,
    [
      '#!/bin/sh',
      'for last; do :; done',
      `echo "$*" >> '${log}'`,
      'exec sh -c "$last"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const previous = process.env.GIT_SSH_COMMAND;
  process.env.GIT_SSH_COMMAND = ssh;
  const url = `ssh://git@git.acme.test${demo.path}`;
  const repository = new PlainGitClient({
    locator: { type: 'git', url },
    remoteUrl: url,
    cacheDir: join(temp.dir, 'cache'),
  });
  const commands = () =>
    (existsSync(log) ? readFileSync(log, 'utf8') : '')
      .split('\n')
      .filter(Boolean);
  return {
    repository,
    demo,
    requestCount: () => commands().length,
    teardown: async () => {
      const seen = commands();
      // Every command went to the host named in the URL, as git-upload-pack
      // (reads) or git-receive-pack (pushes) on the repository's path; git
      // took the stand-in for OpenSSH ('-o SendEnv=GIT_PROTOCOL': v2).
      expect(seen.length).toBeGreaterThan(0);
      for (const line of seen) {
        expect(line).toMatch(
          new RegExp(
            `(^| )git@git\\.acme\\.test git-(upload|receive)-pack '${demo.path}'$`,
          ),
        );
      }
      if (previous === undefined) {
        delete process.env.GIT_SSH_COMMAND;
      } else {
        process.env.GIT_SSH_COMMAND = previous;
      }
      await temp.cleanup();
    },
  };
});

describe('PlainGitClient', () => {
  it('reports refused credentials as an upstream failure without the password', async () => {
    const temp = await makeTempDir('plain-auth');
    await createDemoRepository(temp.dir);
    const server = await startGitHttpServer({
      projectRoot: temp.dir,
      credentials: { username: 'stageflow', password: 'right' },
    });
    try {
      const repository = new PlainGitClient({
        locator: { type: 'git', url: 'https://git.acme.test/demo.git' },
        remoteUrl: `${server.url}/demo.git`,
        credentials: { username: 'stageflow', password: 'wrong-secret' },
        cacheDir: join(temp.dir, 'cache'),
      });
      const error = await repository.listTags().catch(e => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error.message).toContain('git.acme.test');
      expect(error.message).toContain('list remote refs');
      expect(error.message).not.toContain('wrong-secret');
      expect(server.requests.every(r => r.status === 401)).toBe(true);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('lets exactly one of two concurrent creators win a branch and a tag', async () => {
    const temp = await makeTempDir('plain-race');
    const demo = await createDemoRepository(temp.dir);
    await git(demo.path, ['config', 'http.receivepack', 'true']);
    const server = await startGitHttpServer({ projectRoot: temp.dir });
    try {
      const [first, second] = ['a', 'b'].map(
        name =>
          new PlainGitClient({
            locator: { type: 'git', url: `${server.url}/demo.git` },
            remoteUrl: `${server.url}/demo.git`,
            cacheDir: join(temp.dir, `cache-${name}`),
          }),
      );
      // Both clones see the branch missing before either pushes.
      await Promise.all([first.listBranches(), second.listBranches()]);
      const branches = await Promise.allSettled([
        first.createBranch('hotfix/race', demo.commits[2]),
        second.createBranch('hotfix/race', demo.commits[3]),
      ]);
      expect(branches.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        branches
          .filter(r => r.status === 'rejected')
          .map(r => (r as PromiseRejectedResult).reason.name),
      ).toEqual(['ConflictError']);
      const winner = (
        branches.find(r => r.status === 'fulfilled') as PromiseFulfilledResult<{
          sha: string;
        }>
      ).value.sha;
      expect(
        await git(demo.path, ['rev-parse', 'refs/heads/hotfix/race']),
      ).toBe(winner);

      const tags = await Promise.allSettled([
        first.createTag({
          name: 'v9.0.0',
          sha: demo.commits[2],
          message: 'first',
        }),
        second.createTag({
          name: 'v9.0.0',
          sha: demo.commits[3],
          message: 'second',
        }),
      ]);
      expect(tags.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      expect(
        tags
          .filter(r => r.status === 'rejected')
          .map(r => (r as PromiseRejectedResult).reason.name),
      ).toEqual(['ConflictError']);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('refuses a branch that clashes with a folder of branches as a conflict, not an upstream fault', async () => {
    const temp = await makeTempDir('plain-folder');
    const demo = await createDemoRepository(temp.dir);
    const url = `file://${demo.path}`;
    const repository = new PlainGitClient({
      locator: { type: 'git', url },
      remoteUrl: url,
      cacheDir: join(temp.dir, 'cache'),
    });
    try {
      await repository.createBranch('hotfix/a', demo.commits[2]);
      for (const [name, clash] of [
        ['hotfix/a/b', 'hotfix/a'],
        ['hotfix', 'hotfix/a'],
      ]) {
        const error = await repository
          .createBranch(name, demo.commits[2])
          .catch(e => e);
        expect(error.name).toBe('ConflictError');
        expect(error.message).toBe(
          `Cannot create ${name} in ${url}: ${clash} exists, and a ref cannot also be a folder of refs`,
        );
      }
    } finally {
      await temp.cleanup();
    }
  });

  it('fetches again only when the remote moved', async () => {
    const temp = await makeTempDir('plain-fetch');
    const demo = await createDemoRepository(temp.dir);
    await git(demo.path, ['config', 'uploadpack.allowFilter', 'true']);
    const server = await startGitHttpServer({ projectRoot: temp.dir });
    try {
      const repository = new PlainGitClient({
        locator: { type: 'git', url: `${server.url}/demo.git` },
        remoteUrl: `${server.url}/demo.git`,
        cacheDir: join(temp.dir, 'cache'),
      });
      await repository.listTags();
      // An unchanged remote costs one ref advertisement (GET info/refs and
      // the ls-refs POST of protocol v2), no fetch.
      const before = server.requests.length;
      await repository.listTags();
      await repository.resolveCommit('main');
      expect(server.requests.length - before).toBe(4);

      await git(demo.path, ['update-ref', 'refs/heads/main', demo.commits[5]]);
      const beforeMove = server.requests.length;
      expect((await repository.resolveCommit('main')).sha).toBe(
        demo.commits[5],
      );
      expect(server.requests.length - beforeMove).toBeGreaterThan(2);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});
