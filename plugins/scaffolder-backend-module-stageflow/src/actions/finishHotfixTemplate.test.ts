import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createFinishHotfixAction } from './finishHotfix';
import { lifecycleReleases } from './__testUtils__/lifecycleReleases';

const file = path.resolve(
  __dirname,
  '../../../../examples/templates/finish-hotfix.yaml',
);

jest.setTimeout(60_000);

describe('examples/templates/finish-hotfix.yaml', () => {
  const docs = yaml.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const template = docs[0]?.toJS();
  const parameters: Record<string, any> = Object.assign(
    {},
    ...template.spec.parameters.map((page: any) => page.properties),
  );

  it("is one Template whose step runs the action with parameters named after the action's inputs", async () => {
    const { releases, cleanup } = await lifecycleReleases();
    try {
      const action = createFinishHotfixAction({ releases });
      const inputs = (action.schema!.input as { properties: object })
        .properties;
      expect(docs).toHaveLength(1);
      expect(docs[0].errors).toEqual([]);
      expect(template.metadata.name).toBe('finish-hotfix');
      const step = template.spec.steps[0];
      expect(step.action).toBe(action.id);
      expect(Object.keys(parameters).sort()).toEqual(
        ['branch', 'deleteBranch', 'entityRef'].sort(),
      );
      for (const name of Object.keys(parameters)) {
        expect(Object.keys(inputs)).toContain(name);
        expect(step.input[name]).toBe(`\${{ parameters.${name} }}`);
      }
    } finally {
      await cleanup();
    }
  });
});
