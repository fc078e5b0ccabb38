import { examples } from './startHotfix.examples';
import { createStartHotfixAction } from './startHotfix';
import { runExample } from './__testUtils__/demo';

jest.setTimeout(60_000);

const [latest, older] = examples.map(e => e.example);

describe('startHotfix examples', () => {
  it('starts hotfix/login at the latest release', async () => {
    const run = await runExample(latest, createStartHotfixAction);
    expect(run.step.action).toBe(run.actionId);
    const v130 = run.sha('phippy', 'v1.3.0');
    expect(run.outputs).toEqual({
      branch: 'hotfix/login',
      sha: v130,
      fromTag: 'v1.3.0',
      nextVersion: '1.3.1',
      entityRef: 'component:default/phippy',
    });
    expect(run.sha('phippy', 'hotfix/login')).toBe(v130);
  });

  it('starts a hotfix of an older release; a dry run creates no branch', async () => {
    const run = await runExample(older, createStartHotfixAction, {
      isDryRun: true,
    });
    expect(run.outputs).toEqual({
      branch: 'hotfix/cve-2026-1234',
      sha: run.sha('phippy', 'v1.2.0'),
      fromTag: 'v1.2.0',
      nextVersion: '1.2.1',
      entityRef: 'component:default/phippy',
    });
    expect(run.refs('phippy')).not.toMatch(/hotfix\/cve-2026-1234/);
  });
});
