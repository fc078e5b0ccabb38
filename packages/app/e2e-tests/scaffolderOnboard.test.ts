import { APIRequestContext, expect, test } from '@playwright/test';

const backend = 'http://localhost:7007';

async function authHeaders(request: APIRequestContext) {
  const res = await request.get(`${backend}/api/auth/guest/refresh`);
  const token = (await res.json()).backstageIdentity.token;
  return { Authorization: `Bearer ${token}` };
}

async function runTemplate(
  request: APIRequestContext,
  values: Record<string, unknown>,
) {
  const headers = await authHeaders(request);
  // The catalog ingests the templates shortly after the backend is up.
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/template/default/${'onboard-app'}`,
            { headers },
          )
        ).status(),
      { timeout: 60_000 },
    )
    .toBe(200);
  const created = await request.post(`${backend}/api/scaffolder/v2/tasks`, {
    headers,
    data: { templateRef: 'template:default/onboard-app', values },
  });
  if (created.status() === 400) {
    // The scaffolder refused the values against the template's schema.
    return { status: 'refused', output: await created.json() };
  }
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  for (let i = 0; i < 120; i++) {
    const task = await (
      await request.get(`${backend}/api/scaffolder/v2/tasks/${id}`, { headers })
    ).json();
    if (['completed', 'failed', 'cancelled'].includes(task.status)) {
      return task;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`Task ${id} did not finish`);
}

async function catalogEntity(request: APIRequestContext, name: string) {
  return request.get(
    `${backend}/api/catalog/entities/by-name/component/default/${name}`,
    { headers: await authHeaders(request) },
  );
}

test('onboarding an app makes its stage instances appear in the catalog within 10 s', async ({
  request,
}) => {
  const task = await runTemplate(request, {
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
  const task = await runTemplate(request, {
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
