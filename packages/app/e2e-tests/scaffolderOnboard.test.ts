import { APIRequestContext, expect, test } from '@playwright/test';

import { authHeaders, backend, runTemplate } from './helpers';

async function catalogEntity(request: APIRequestContext, name: string) {
  return request.get(
    `${backend}/api/catalog/entities/by-name/component/default/${name}`,
    { headers: await authHeaders(request) },
  );
}

test('onboarding an app makes its stage instances appear in the catalog within 10 s', async ({
  request,
}) => {
  const task = await runTemplate(request, 'onboard-app', {
    contributor: 'devops',
    appId: 'zeus',
    appType: 'ap',
    stages: ['dev', 'int', 'prd'],
    owner: 'group:default/team-b',
    project: 'component:default/3000',
  });
  expect(task.status).toBe('completed');
  const started = Date.now();
  await expect
    .poll(async () => (await catalogEntity(request, 'ap-zeus-prd')).status(), {
      timeout: 10_000,
      intervals: [500],
    })
    .toBe(200);
  test.info().annotations.push({
    type: 'ingested after (ms)',
    description: String(Date.now() - started),
  });
  const entity = await (await catalogEntity(request, 'ap-zeus-prd')).json();
  expect(entity.metadata.annotations['stageflow.io/contributor']).toBe(
    'devops',
  );
  expect(
    entity.relations.map((r: any) => `${r.type} ${r.targetRef}`),
  ).toContain('dependsOn component:default/3000');
});

test('an invalid app id is refused and nothing is ingested', async ({
  request,
}) => {
  const task = await runTemplate(request, 'onboard-app', {
    contributor: 'devops',
    appId: 'Zeus_1',
    appType: 'ap',
    stages: ['dev'],
    owner: 'group:default/team-b',
    project: 'component:default/3000',
  });
  expect(['failed', 'refused']).toContain(task.status);
  await new Promise(resolve => setTimeout(resolve, 4_000));
  expect((await catalogEntity(request, 'ap-zeus_1-dev')).status()).toBe(404);
});
