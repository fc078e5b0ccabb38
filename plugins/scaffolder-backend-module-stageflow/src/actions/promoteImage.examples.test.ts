import { examples } from './promoteImage.examples';
import { createPromoteImageAction } from './promoteImage';
import { runExample } from './__testUtils__/demo';

jest.setTimeout(60_000);

const [latest, rollback] = examples.map(e => e.example);

describe('promoteImage examples', () => {
  it("points prod at the latest release's candidate image", async () => {
    const run = await runExample(latest, createPromoteImageAction);
    expect(run.step.action).toBe(run.actionId);
    const candidate = await run.digest(
      'acme/phippy/release-candidate',
      run.sha('phippy', 'v1.3.0'),
    );
    // Prod ran v1.2.1, whose stable tag stays where it was.
    const before = await run.digest('acme/phippy/stable', 'v1.2.1');
    expect(run.outputs).toEqual({
      digest: candidate,
      tags: [
        'registry.acme.example/acme/phippy/stable:latest',
        'registry.acme.example/acme/phippy/stable:v1.3.0',
      ],
      previousDigest: before,
      previousVersion: '1.2.1',
      version: '1.3.0',
      entityRef: 'component:default/phippy',
      state: 'done',
    });
    expect(await run.digest('acme/phippy/stable', 'latest')).toBe(candidate);
    expect(await run.digest('acme/phippy/stable', 'v1.3.0')).toBe(candidate);
  });

  it('rolls prod back to 1.2.0; a dry run writes nothing', async () => {
    const dry = await runExample(rollback, createPromoteImageAction, {
      isDryRun: true,
    });
    const before = await dry.digest('acme/phippy/stable', 'latest');
    expect(dry.outputs).toMatchObject({
      version: '1.2.0',
      previousVersion: '1.2.1',
    });
    expect(await dry.digest('acme/phippy/stable', 'latest')).toBe(before);

    const run = await runExample(rollback, createPromoteImageAction);
    const candidate = await run.digest(
      'acme/phippy/release-candidate',
      run.sha('phippy', 'v1.2.0'),
    );
    expect(run.outputs).toMatchObject({
      digest: candidate,
      version: '1.2.0',
      previousVersion: '1.2.1',
    });
    expect(await run.digest('acme/phippy/stable', 'latest')).toBe(candidate);
  });
});
