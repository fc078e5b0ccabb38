import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { APP_TYPES, STAGE_NAMES } from '@stageflow/plugin-stageflow-common';
import fs from 'node:fs';
import path from 'node:path';
import { Server } from 'node:http';
import yaml from 'yaml';
import {
  RecordedRequest,
  startContributionsServer,
} from './__testUtils__/contributionsServer';
import { createCatalogRegisterAction } from './catalogRegister';

const file = path.resolve(
  __dirname,
  '../../../../examples/templates/onboard-app.yaml',
);

describe('examples/templates/onboard-app.yaml', () => {
  const docs = yaml.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const template = docs[0]?.toJS();
  // The dry run asks the contributions API whether the set may be written.
  let server: Server;
  let baseUrl = '';
  const requests: RecordedRequest[] = [];
  beforeAll(async () => {
    ({ server, baseUrl } = await startContributionsServer({}, requests));
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));
  const action = createCatalogRegisterAction({
    discovery: mockServices.discovery.mock({
      getBaseUrl: async id => `${baseUrl}/${id}`,
    }),
    auth: mockServices.auth(),
  });
  const inputSchema = action.schema!.input as {
    properties: Record<string, any>;
  };
  const parameters: Record<string, any> = Object.assign(
    {},
    ...template.spec.parameters.map((page: any) => page.properties),
  );
  const step = template.spec.steps[0];

  it('is one Template document named onboard-app', () => {
    expect(docs).toHaveLength(1);
    expect(docs[0].errors).toEqual([]);
    expect(template).toMatchObject({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'onboard-app' },
    });
    expect(template.spec.steps).toHaveLength(1);
    expect(step.action).toBe(action.id);
  });

  it("names its parameters after the action's inputs", () => {
    const names = Object.keys(parameters).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'appId',
        'appType',
        'cluster',
        'contributor',
        'domain',
        'instance',
        'owner',
        'project',
        'stages',
        'system',
      ]),
    );
    expect(names.filter(name => !(name in inputSchema.properties))).toEqual([]);
    for (const page of template.spec.parameters) {
      for (const required of page.required ?? []) {
        expect(Object.keys(page.properties)).toContain(required);
      }
    }
  });

  it('passes each parameter to the input of the same name', () => {
    expect(step.input).toEqual(
      Object.fromEntries(
        Object.keys(parameters).map(name => [
          name,
          `\${{ parameters.${name} }}`,
        ]),
      ),
    );
  });

  it("offers the action's app types, stages and stage keys", () => {
    expect(parameters.appType.enum).toEqual([...APP_TYPES]);
    expect(parameters.stages.items.enum).toEqual([...STAGE_NAMES]);
    expect(Object.keys(parameters.cluster.properties)).toEqual([
      ...STAGE_NAMES,
    ]);
  });

  it('lists the registered entityRefs in its output', () => {
    expect(template.spec.output.text[0].content).toContain(
      'steps.register.output.entityRefs',
    );
    expect(template.spec.output.links[0].entityRef).toBe(
      '${{ parameters.project }}',
    );
  });

  it('registers valid stage instances from what the form sends (dry run)', async () => {
    // What the form sends for Phippy; absent fields stay undefined, as
    // the scaffolder renders a missing parameter.
    const form: Record<string, unknown> = {
      contributor: parameters.contributor.default,
      appId: 'phippy',
      appType: parameters.appType.default,
      stages: parameters.stages.default,
      owner: 'group:default/team-a',
      componentType: 'website',
      project: 'component:default/3000',
      cluster: {
        dev: 'resource:default/uuid-67890',
        int: 'resource:default/uuid-67890',
        prd: 'resource:default/uuid-12345',
      },
    };
    const input = Object.fromEntries(
      Object.entries(step.input as Record<string, string>)
        .map(([key, value]) => [key, form[/parameters\.(\w+)/.exec(value)![1]]])
        .filter(([, value]) => value !== undefined),
    );
    // createMockActionContext drops isDryRun, so it is set afterwards.
    const ctx = {
      ...createMockActionContext({ input: input as any }),
      isDryRun: true,
    };
    await action.handler(ctx as any);
    expect(requests.map(r => r.url)).toContain(
      '/api/stageflow/v1/contributions/devops?dryRun=true',
    );
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'component:default/ap-phippy-dev',
      'component:default/ap-phippy-int',
      'component:default/ap-phippy-prd',
    ]);
  });
});
