import { expect, test, Page } from '@playwright/test';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  // The catalog is the home page of the demo.
  await expect(page.getByRole('link', { name: 'Stageflow' })).toBeVisible();
}

test('Phippy entity page shows the Stageflow card', async ({ page }) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Phippy' }).first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/phippy/);
  await expect(page.getByText('Stages', { exact: true })).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/phippy-entity-page.png',
    fullPage: true,
  });
});

test('the Stageflow page lists the annotated components', async ({ page }) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Stageflow' }).click();
  await expect(page.getByRole('heading', { name: 'Stageflow' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'phippy' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'goldie' })).toBeVisible();
  await page.screenshot({
    path: 'e2e-test-report/stageflow-overview.png',
    fullPage: true,
  });
});
