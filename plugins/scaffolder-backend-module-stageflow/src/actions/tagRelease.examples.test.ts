import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { examples } from './tagRelease.examples';
import { createTagReleaseAction } from './tagRelease';
import { runExample } from './__testUtils__/demo';

jest.setTimeout(60_000);

const [autoBump, versionAndPromote] = examples.map(e => e.example);

describe('tagRelease examples', () => {
  it('releases the head of develop with the bump its commits imply', async () => {
    const run = await runExample(autoBump, createTagReleaseAction);
    expect(run.step.action).toBe(run.actionId);
    const develop = run.sha('phippy', 'develop');
    // feat: cookie banner since v1.3.0: a minor bump.
    expect(run.outputs).toEqual({
      tag: 'v1.4.0',
      version: '1.4.0',
      sha: develop,
      branch: 'develop',
      entityRef: 'component:default/phippy',
      notes: expect.stringMatching(
        /^### Features\n\n- cookie banner \([0-9a-f]{7}\)\n\n### Fixes\n\n- footer typo/,
      ),
    });
    expect(run.sha('phippy', 'v1.4.0')).toBe(develop);
    expect(run.refs('phippy')).toMatch(/refs\/tags\/v1\.4\.0\^\{\}/);
  });

  it('plans the same release in a dry run, and tags nothing', async () => {
    const run = await runExample(autoBump, createTagReleaseAction, {
      isDryRun: true,
    });
    expect(run.outputs).toMatchObject({ tag: 'v1.4.0', branch: 'develop' });
    expect(run.refs('phippy')).not.toMatch(/v1\.4\.0/);
  });

  it('releases a given version with its message and promotes it to prod', async () => {
    const run = await runExample(versionAndPromote, createTagReleaseAction);
    const develop = run.sha('phippy', 'develop');
    const candidate = await run.digest(
      'acme/phippy/release-candidate',
      develop,
    );
    expect(run.outputs).toEqual({
      tag: 'v2.0.0',
      version: '2.0.0',
      sha: develop,
      branch: 'develop',
      entityRef: 'component:default/phippy',
      digest: candidate,
      notes: expect.any(String),
    });
    const message = execFileSync(
      'git',
      ['tag', '-l', '--format=%(contents)', 'v2.0.0'],
      {
        cwd: join(run.data.gitDir, 'acme', 'phippy.git'),
        encoding: 'utf8',
      },
    ).trim();
    // The tag's message is the example's line above the generated notes.
    expect(message).toBe(run.outputs.notes);
    expect(
      message.startsWith(`${run.step.input.message}\n\n### Features`),
    ).toBe(true);
    expect(await run.digest('acme/phippy/stable', 'latest')).toBe(candidate);
    expect(await run.digest('acme/phippy/stable', 'v2.0.0')).toBe(candidate);
  });
});
