import yaml from 'yaml';
import { examples } from './tagRelease.examples';
import { createTagReleaseAction } from './tagRelease';
import { actionContext, demoDeps } from './__testUtils__/demo';

jest.setTimeout(60_000);

describe('tagRelease examples', () => {
  it.each(examples.map(e => [e.description, e.example]))(
    'runs "%s" as a dry run on the demo data',
    async (_description, example) => {
      const { deps, refs } = await demoDeps();
      const before = refs('phippy');
      const action = createTagReleaseAction(deps);
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      const ctx = actionContext(step.input, { isDryRun: true });
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalled();
      expect(refs('phippy')).toBe(before);
    },
  );
});
