import { examples } from './tagRelease.examples';
import { createTagReleaseAction } from './tagRelease';
import { runExampleAsDryRun } from './__testUtils__/demo';

jest.setTimeout(60_000);

describe('tagRelease examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    'runs "%s" as a dry run on the demo data',
    async (_description, example) => {
      const run = await runExampleAsDryRun(example, createTagReleaseAction);
      expect(run.action).toBe(run.expected);
      expect(run.outputs).toBeGreaterThan(0);
      expect(run.unchanged).toBe(true);
    },
  );
});
