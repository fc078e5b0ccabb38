import { expect, test, Page } from '@playwright/test';
import { authHeaders, backend, saveScreenshot } from './helpers';

// Runs after the scaffolder API tests (files run in name order): it takes
// the next patch release from wherever they left Phippy.

async function signInAsGuest(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Stageflow' })).toBeVisible();
}

async function openPhippy(page: Page) {
  await page.goto('/catalog/default/component/phippy');
  await expect(page.getByText('Stages', { exact: true })).toBeVisible();
}

function stageRow(page: Page, stage: string) {
  return page.getByRole('row').filter({
    has: page.getByRole('cell', { name: stage, exact: true }),
  });
}

/** Review and create, then wait for the task's output to say `done`. */
async function createAndWait(page: Page, done: string) {
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\//);
  await expect(page.getByText(done)).toBeVisible({ timeout: 60_000 });
}

test('a user tags a patch release and promotes it to prod from the card', async ({
  page,
}) => {
  const headers = await authHeaders(page.request);
  const releases = await (
    await page.request.get(
      `${backend}/api/stageflow/v1/entities/component/default/phippy/releases`,
      { headers },
    )
  ).json();
  const latest = releases.releases[0].version as string;
  const [major, minor, patch] = latest.split('.').map(Number);
  const next = `${major}.${minor}.${patch + 1}`;

  await signInAsGuest(page);
  await openPhippy(page);

  // Tag release: the card's action opens the template with Phippy filled in.
  await page.getByRole('button', { name: 'Tag release' }).click();
  await expect(page).toHaveURL(/\/create\/templates\/default\/tag-release/);
  await page.getByRole('button', { name: 'Bump' }).click();
  await page.getByRole('option', { name: 'patch', exact: true }).click();
  await createAndWait(page, `Tagged v${next}.`);

  // Promote: the version picker offers the releases the backend reads.
  await openPhippy(page);
  await page.getByRole('button', { name: 'Promote' }).click();
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/promote-to-stage/,
  );
  // The stage picker lists Phippy's flow and starts on its last stage.
  await expect(
    page.getByRole('button', { name: /^Stage\s+prod \(runs / }),
  ).toBeVisible();
  const version = page.getByRole('button', { name: 'Version' });
  // Enabled once the releases of the chosen component are read.
  await expect(version).toBeEnabled();
  await version.click();
  await page.getByRole('option', { name: next }).click();
  await createAndWait(page, `prod now runs ${next}`);

  // The card shows prod on the new version, running staging's very image.
  await expect
    .poll(
      async () => {
        await openPhippy(page);
        return stageRow(page, 'prod').innerText();
      },
      { timeout: 60_000, intervals: [3_000] },
    )
    .toContain(next);
  const digestOf = async (stage: string) =>
    stageRow(page, stage)
      .getByRole('button', { name: `Copy digest of ${stage}` })
      .locator('..')
      .innerText();
  expect(await digestOf('prod')).toBe(await digestOf('staging'));
  await saveScreenshot(page, 'stageflow-card-promoted');
});

test('a user finishes the open hotfix from the card', async ({ page }) => {
  await signInAsGuest(page);
  await openPhippy(page);
  // The demo's hotfix/login-redirect is open (merged into develop already).
  await page.getByRole('button', { name: /^Finish hotfix/ }).click();
  await expect(page).toHaveURL(/\/create\/templates\/default\/finish-hotfix/);
  await expect(page.getByLabel(/Hotfix branch/)).toHaveValue(
    'hotfix/login-redirect',
  );
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\//);
  // The plan is in the task's log too: read the template's output box.
  await expect(
    page
      .getByTestId('text-output-box')
      .getByText(
        'Finished hotfix/login-redirect: develop already contains hotfix/login-redirect',
      ),
  ).toBeVisible({ timeout: 60_000 });
});
