import { APIRequestContext, expect, test, Page } from '@playwright/test';
import { authHeaders, backend, saveScreenshot } from './helpers';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  // The catalog is the home page of the demo.
  await expect(page.getByRole('link', { name: 'Stageflow' })).toBeVisible();
}

// The backend accepts the guest's Backstage token, the one the app uses.
async function phippyStages(request: APIRequestContext) {
  const res = await request.get(
    `${backend}/api/stageflow/v1/entities/component/default/phippy/stages`,
    { headers: await authHeaders(request) },
  );
  expect(res.status()).toBe(200);
  return (await res.json()) as {
    stages: { name: string; version?: string; status: string }[];
  };
}

test('Phippy entity page shows the Stageflow card', async ({ page }) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Phippy', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/phippy/);
  await expect(page.getByText('Stages', { exact: true })).toBeVisible();
  // The Stages card opens the overview, above the catalog's relation cards.
  const stagesBox = await page
    .getByText('Stages', { exact: true })
    .boundingBox();
  const relationBox = await page
    .getByText('Depends on components', { exact: true })
    .boundingBox();
  expect(stagesBox!.y).toBeLessThan(relationBox!.y);

  const expected = await phippyStages(page.request);
  expect(expected.stages.map(s => s.name)).toEqual(['staging', 'prod']);
  for (const stage of expected.stages) {
    const row = page.getByRole('row').filter({
      has: page.getByRole('cell', { name: stage.name, exact: true }),
    });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(stage.version ?? '-');
    await expect(row).toContainText(stage.status);
  }
  await expect(
    page.getByRole('button', { name: 'Start hotfix' }),
  ).toBeVisible();
  await saveScreenshot(page, 'stageflow-card');
});

test('Phippy has a Stageflow tab with releases, history and compare', async ({
  page,
}) => {
  // The first snapshot runs shortly after start-up; the tab shows what it
  // recorded.
  const headers = await authHeaders(page.request);
  let transitions: { stage: string; toVersion?: string; observedAt: string }[] =
    [];
  await expect
    .poll(
      async () => {
        const res = await page.request.get(
          `${backend}/api/stageflow/v1/entities/component/default/phippy/history`,
          { headers },
        );
        transitions = res.ok() ? (await res.json()).transitions : [];
        return transitions.length;
      },
      { timeout: 90_000 },
    )
    .toBeGreaterThan(0);

  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Phippy', exact: true }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/phippy/);
  // The entity page's tabs are links; the sidebar has a Stageflow link too.
  await page
    .getByRole('link', { name: 'Stageflow', exact: true })
    .and(page.locator('[href$="/component/phippy/stageflow"]'))
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/phippy\/stageflow/,
  );
  await expect(page.getByText('Releases', { exact: true })).toBeVisible();
  await expect(page.getByText('Stage history', { exact: true })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'From' })).toHaveValue(
    'prod',
  );
  await expect(page.getByRole('combobox', { name: 'To' })).toHaveValue(
    'staging',
  );
  await expect(
    page.getByText(/commits? in staging|No commit in staging/),
  ).toBeVisible();
  // The table lists the newest transition of each stage first.
  const newest = [...transitions].sort((a, b) =>
    b.observedAt.localeCompare(a.observedAt),
  );
  for (const stage of new Set(newest.map(t => t.stage))) {
    const transition = newest.find(t => t.stage === stage)!;
    await expect(
      page
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: stage, exact: true }) })
        .first(),
    ).toContainText(transition.toVersion ?? '-');
  }
  await saveScreenshot(page, 'stageflow-tab');
});

test('the Stageflow page lists the annotated components', async ({ page }) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Stageflow' }).click();
  await expect(page.getByRole('heading', { name: 'Stageflow' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'phippy' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'goldie' })).toBeVisible();
  // Goldie's prd runs a rebuilt image: the overview flags it.
  await expect(
    page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'goldie' }) }),
  ).toContainText('drift in prd');
  await saveScreenshot(page, 'stageflow-overview');
});
