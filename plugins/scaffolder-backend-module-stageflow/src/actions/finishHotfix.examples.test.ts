import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { showRefs } from '@stageflow/plugin-stageflow-node/testUtils';
import { examples } from './finishHotfix.examples';
import { createFinishHotfixAction } from './finishHotfix';
import { lifecycleReleases } from './__testUtils__/lifecycleReleases';

jest.setTimeout(60_000);

describe('finishHotfix examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    'runs "%s" as a dry run',
    async (_description, example) => {
      const { fixture, releases, calls, cleanup } = await lifecycleReleases();
      try {
        const before = await showRefs(fixture.path);
        const step = yaml.parse(example).steps[0];
        const action = createFinishHotfixAction({ releases });
        expect(step.action).toBe(action.id);
        const ctx = {
          ...createMockActionContext({ input: step.input }),
          isDryRun: true,
        };
        await action.handler(ctx as any);
        const { entityRef, repoUrl, branch, deleteBranch } = step.input;
        expect(calls.map(c => c.request)).toEqual([
          {
            target: entityRef ? { entityRef } : { repoUrl },
            branch,
            ...(deleteBranch === undefined ? {} : { deleteBranch }),
            dryRun: true,
          },
        ]);
        expect(ctx.output).toHaveBeenCalledWith('outcome', 'merged');
        expect(ctx.output).toHaveBeenCalledWith('mergeable', true);
        expect(ctx.output).toHaveBeenCalledWith(
          'plan',
          `Dry run: finishing hotfix/login: would merge hotfix/login into develop${
            deleteBranch ? '; would delete hotfix/login' : ''
          }`,
        );
        expect(await showRefs(fixture.path)).toBe(before);
      } finally {
        await cleanup();
      }
    },
  );
});
