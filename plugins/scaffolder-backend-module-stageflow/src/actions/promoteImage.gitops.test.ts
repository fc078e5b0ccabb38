import { mockCredentials } from '@backstage/backend-test-utils';
import {
  FakeGithubServer,
  startFakeGithubServer,
} from '@stageflow/plugin-stageflow-node/testUtils';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPromoteImageAction } from './promoteImage';
import { actionContext } from './__testUtils__/demo';
import { gitopsDemoDeps } from './__testUtils__/gitopsDemo';

jest.setTimeout(120_000);

const goldie = 'component:default/goldie';
const credentials = { credentials: mockCredentials.user() };
const PRD_VALUES = 'envs/prd/goldie/values.yaml';

describe('stageflow:image:promote on GitOps stages (the demo: Goldie in acme/gitops)', () => {
  it("reads Goldie's dev, int and prd from the GitOps repository; prd pins a rebuild of 1.2.1", async () => {
    const { releaseService, sha, digest, gitops } = await gitopsDemoDeps();
    const { stages, flow } = await releaseService.getStages(
      goldie,
      credentials,
    );
    expect(flow).toBe('gitflow-gitops');
    const head = gitops('rev-parse', 'main');
    expect(stages.map(s => [s.name, s.status])).toEqual([
      ['dev', 'ok'],
      ['int', 'ok'],
      ['prd', 'drift'],
    ]);
    expect(stages[0]).toMatchObject({
      revision: sha('dev'),
      digest: await digest(`sha-${sha('dev')}`),
      pin: {
        path: 'envs/dev/goldie/values.yaml',
        branch: 'main',
        commit: head,
        values: { tag: `sha-${sha('dev')}` },
      },
    });
    expect(stages[1]).toMatchObject({
      version: '1.2.1',
      revision: sha('main'),
    });
    const rebuilt = await digest('prd');
    expect(rebuilt).not.toBe(await digest(`sha-${sha('1.2.1')}`));
    expect(stages[2]).toMatchObject({
      version: '1.2.1',
      digest: rebuilt,
      image: `registry.acme.example/acme/goldie:1.2.1@${rebuilt}`,
      pin: { path: PRD_VALUES, values: { tag: '1.2.1', digest: rebuilt } },
      message: expect.stringMatching(/rebuilt, not promoted/),
    });
  });

  it('names the file or key that is missing', async () => {
    const { releaseService, gitopsDir } = await gitopsDemoDeps();
    const work = mkdtempSync(join(tmpdir(), 'stageflow-gitops-edit-'));
    const run = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=Ops', '-c', 'user.email=ops@acme.example', ...args],
        {
          cwd: work,
          encoding: 'utf8',
        },
      );
    run('clone', '-q', gitopsDir, '.');
    run('rm', '-q', 'envs/dev/goldie/values.yaml');
    const int = join(work, 'envs/int/goldie/values.yaml');
    writeFileSync(
      int,
      readFileSync(int, 'utf8').replace(/^\s+digest:.*$/m, ''),
    );
    run('commit', '-qam', 'chore: break dev and int');
    run('push', '-q', 'origin', 'main');
    const { stages } = await releaseService.getStages(goldie, credentials);
    expect(stages[0]).toMatchObject({
      status: 'missing',
      message: `envs/dev/goldie/values.yaml in https://git.acme.example/acme/gitops.git (branch main) does not exist`,
    });
    expect(stages[1]).toMatchObject({
      status: 'missing',
      message: `envs/int/goldie/values.yaml in https://git.acme.example/acme/gitops.git (branch main) has no image.digest`,
    });
  });

  it("prints the diff of prd's pin in a dry run, and commits nothing", async () => {
    const { releaseService, gitops, sha, digest } = await gitopsDemoDeps();
    const before = gitops('rev-parse', 'main');
    const ctx = actionContext(
      { entityRef: goldie, stage: 'prd', version: '1.2.1' },
      { isDryRun: true },
    );
    const log = jest.spyOn(ctx.logger, 'info');
    await createPromoteImageAction({ releaseService }).handler(ctx);
    const candidate = await digest(`sha-${sha('1.2.1')}`);
    const diff = [
      `--- a/${PRD_VALUES}`,
      `+++ b/${PRD_VALUES}`,
      '@@ -7,7 +7,7 @@',
      '   # Release 1.2.1, pinned by hand after a rebuild.',
      '   tag: "1.2.1"',
      '   # The digest wins over the tag: what runs is exactly this image.',
      `-  digest: ${await digest('prd')}`,
      `+  digest: ${candidate}`,
      '   pullPolicy: IfNotPresent',
      ' ',
      ' resources:',
    ].join('\n');
    expect(ctx.output).toHaveBeenCalledWith('diff', diff);
    expect(log).toHaveBeenCalledWith(diff);
    expect(ctx.output).not.toHaveBeenCalledWith('commit', expect.anything());
    expect(gitops('rev-parse', 'main')).toBe(before);
  });

  it("promotes prd to 1.2.1 with one commit that changes prd's digest only, comments kept; prd is ok at once", async () => {
    const { releaseService, gitops, sha, digest, history, announcements } =
      await gitopsDemoDeps();
    const before = gitops('rev-parse', 'main');
    const original = gitops('show', `main:${PRD_VALUES}`);
    const ctx = actionContext({
      entityRef: goldie,
      stage: 'prd',
      version: '1.2.1',
    });
    await createPromoteImageAction({ releaseService }).handler(ctx);

    const after = gitops('rev-parse', 'main');
    const candidate = await digest(`sha-${sha('1.2.1')}`);
    expect(ctx.output).toHaveBeenCalledWith('commit', after);
    expect(ctx.output).toHaveBeenCalledWith('digest', candidate);
    expect(ctx.output).toHaveBeenCalledWith('previousVersion', '1.2.1');
    expect(gitops('rev-parse', `${after}^`)).toBe(before);
    expect(gitops('diff', '--name-only', before, after)).toBe(PRD_VALUES);
    expect(gitops('show', `main:${PRD_VALUES}`)).toBe(
      original.replace(
        `digest: ${await digest('prd')}`,
        `digest: ${candidate}`,
      ),
    );
    expect(gitops('log', '-1', '--format=%s', 'main')).toBe(
      'chore(prd): promote goldie to 1.2.1',
    );

    const { stages } = await releaseService.getStages(goldie, credentials);
    expect(stages[2]).toMatchObject({
      name: 'prd',
      status: 'ok',
      version: '1.2.1',
      digest: candidate,
      pin: { commit: after },
    });
    expect(history.at(-1)?.stages[2]).toMatchObject({
      status: 'ok',
      digest: candidate,
    });
    expect(announcements.at(-1)).toMatchObject({
      kind: 'promotion',
      stage: 'prd',
      version: '1.2.1',
    });

    // Already pinned: nothing to commit the second time.
    const again = actionContext({
      entityRef: goldie,
      stage: 'prd',
      version: '1.2.1',
    });
    const log = jest.spyOn(again.logger, 'info');
    await createPromoteImageAction({ releaseService }).handler(again);
    expect(gitops('rev-parse', 'main')).toBe(after);
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(/^keep prd on 1\.2\.1: .* already pins/),
    );
  });

  it('via pull-request on a plain git host: pushes the change as a branch for review, main untouched', async () => {
    const { releaseService, gitops } = await gitopsDemoDeps({
      source: { via: 'pull-request' },
    });
    const before = gitops('rev-parse', 'main');
    const ctx = actionContext({
      entityRef: goldie,
      stage: 'prd',
      version: '1.2.1',
    });
    await createPromoteImageAction({ releaseService }).handler(ctx);
    const branch = 'stageflow/promote-goldie-prd-1.2.1';
    expect(ctx.output).toHaveBeenCalledWith('pullRequestBranch', branch);
    expect(ctx.output).not.toHaveBeenCalledWith(
      'pullRequestUrl',
      expect.anything(),
    );
    expect(gitops('rev-parse', 'main')).toBe(before);
    expect(gitops('rev-parse', `${branch}^`)).toBe(before);
    expect(gitops('diff', '--name-only', before, branch)).toBe(PRD_VALUES);
    const { stages } = await releaseService.getStages(goldie, credentials);
    expect(stages[2].status).toBe('drift');
  });

  describe('via pull-request on GitHub (the test GitHub server)', () => {
    let server: FakeGithubServer;
    afterEach(() => server?.close());

    it('opens a pull request saying what moves; prd moves once it is merged', async () => {
      // The fake serves the demo's GitOps repository once it is generated.
      const repositories: Record<string, string> = {};
      server = await startFakeGithubServer({ repositories });
      const deps = await gitopsDemoDeps({
        source: {
          repository: 'ghe.acme.test/acme/gitops',
          via: 'pull-request',
        },
        config: {
          integrations: {
            github: [{ host: 'ghe.acme.test', apiBaseUrl: server.apiBaseUrl }],
          },
        },
      });
      repositories['acme/gitops'] = deps.gitopsDir;
      const { releaseService, gitops, sha, digest } = deps;

      // prd runs 1.1.0 (its candidate), so that the promotion brings commits.
      const work = mkdtempSync(join(tmpdir(), 'stageflow-gitops-edit-'));
      const run = (...args: string[]) =>
        execFileSync(
          'git',
          ['-c', 'user.name=Ops', '-c', 'user.email=ops@acme.example', ...args],
          {
            cwd: work,
            encoding: 'utf8',
          },
        );
      run('clone', '-q', deps.gitopsDir, '.');
      const prd = join(work, PRD_VALUES);
      const old = await digest(`sha-${sha('1.1.0')}`);
      writeFileSync(
        prd,
        readFileSync(prd, 'utf8')
          .replace('tag: "1.2.1"', 'tag: "1.1.0"')
          .replace(/digest: \S+/, `digest: ${old}`),
      );
      run('commit', '-qam', 'chore(prd): goldie 1.1.0');
      run('push', '-q', 'origin', 'main');
      const base = gitops('rev-parse', 'main');
      expect(
        (await releaseService.getStages(goldie, credentials)).stages[2],
      ).toMatchObject({
        version: '1.1.0',
        status: 'ok',
      });

      const ctx = actionContext({
        entityRef: goldie,
        stage: 'prd',
        version: '1.2.1',
      });
      await createPromoteImageAction({ releaseService }).handler(ctx);
      const candidate = await digest(`sha-${sha('1.2.1')}`);
      const branch = 'stageflow/promote-goldie-prd-1.2.1';
      const [pull] = server.requests
        .filter(r => r.operation === 'POST /repos/{owner}/{repo}/pulls')
        .map(r => r.body as any);
      expect(pull).toMatchObject({
        number: 1,
        head: { ref: branch },
        base: { ref: 'main' },
      });
      expect(ctx.output).toHaveBeenCalledWith(
        'pullRequestUrl',
        expect.stringMatching(/\/acme\/gitops\/pull\/1$/),
      );
      expect(ctx.output).toHaveBeenCalledWith(
        'commit',
        gitops('rev-parse', branch),
      );
      expect(
        // The writes: reads are GETs, or GraphQL queries.
        server.requests
          .filter(r => r.method !== 'GET' && r.operation !== 'POST /graphql')
          .map(r => [r.operation, r.status]),
      ).toEqual([
        ['POST /repos/{owner}/{repo}/git/refs', 201],
        ['PUT /repos/{owner}/{repo}/contents/{path}', 200],
        ['POST /repos/{owner}/{repo}/pulls', 201],
      ]);
      expect(pull.title).toBe('Promote goldie 1.2.1 to prd');
      expect(pull.body).toContain('1.1.0 → **1.2.1** (1.2.1)');
      expect(pull.body).toContain(`| After merge | 1.2.1 | \`${candidate}\` |`);
      expect(pull.body).toMatch(
        /### Features\n- feat: scheduled backups \([0-9a-f]{7}\)\n\n### Fixes\n- fix: crash on an empty spec \([0-9a-f]{7}\)\n- fix: reconcile loop on deleted clusters \([0-9a-f]{7}\)/,
      );
      expect(pull.body).toContain(`+  digest: ${candidate}`);
      // Only the proposal moved: main still pins 1.1.0.
      expect(gitops('rev-parse', 'main')).toBe(base);
      expect(
        (await releaseService.getStages(goldie, credentials)).stages[2],
      ).toMatchObject({
        version: '1.1.0',
      });

      // A reviewer merges it (a fast-forward): the snapshot sees prd on 1.2.1.
      gitops(
        'update-ref',
        'refs/heads/main',
        gitops('rev-parse', branch),
        base,
      );
      expect(
        (await releaseService.getStages(goldie, credentials)).stages[2],
      ).toMatchObject({
        name: 'prd',
        version: '1.2.1',
        status: 'ok',
        digest: candidate,
      });
    });
  });
});
