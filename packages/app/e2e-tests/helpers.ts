import { APIRequestContext, Page, expect } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const backend = 'http://localhost:7007';

/** The guest's Backstage token, the one the app itself sends. */
export async function authHeaders(request: APIRequestContext) {
  const res = await request.get(`${backend}/api/auth/guest/refresh`);
  expect(res.ok()).toBeTruthy();
  const token = (await res.json()).backstageIdentity.token;
  return { Authorization: `Bearer ${token}` };
}

/**
 * Runs a template of the demo through the scaffolder API and waits for its
 * task: `refused` when the scaffolder rejects the values up front.
 */
export async function runTemplate(
  request: APIRequestContext,
  name: string,
  values: Record<string, unknown>,
): Promise<{ status: string; output: any; log: string }> {
  const headers = await authHeaders(request);
  // The catalog ingests the templates shortly after the backend is up.
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${backend}/api/catalog/entities/by-name/template/default/${name}`,
            { headers },
          )
        ).status(),
      { timeout: 60_000 },
    )
    .toBe(200);
  const created = await request.post(`${backend}/api/scaffolder/v2/tasks`, {
    headers,
    data: { templateRef: `template:default/${name}`, values },
  });
  if (created.status() === 400) {
    return { status: 'refused', output: await created.json(), log: '' };
  }
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  for (let i = 0; i < 120; i++) {
    const task = await (
      await request.get(`${backend}/api/scaffolder/v2/tasks/${id}`, {
        headers,
      })
    ).json();
    if (['completed', 'failed', 'cancelled'].includes(task.status)) {
      const events = await (
        await request.get(`${backend}/api/scaffolder/v2/tasks/${id}/events`, {
          headers,
        })
      ).json();
      const log = events
        .map((e: any) => e.body?.message)
        .filter(Boolean)
        .join('\n');
      return { status: task.status, output: task.output, log };
    }
    await new Promise(done => setTimeout(done, 500));
  }
  throw new Error(`Task ${id} of ${name} did not finish`);
}

/**
 * A full-page screenshot in e2e-test-report/; with STAGEFLOW_UPDATE_DOCS=1
 * also the image of the plugin README. The mouse is parked first, so that
 * the sidebar is not caught open on hover.
 */
export async function saveScreenshot(page: Page, name: string) {
  await page.mouse.move(1200, 5);
  await page.waitForTimeout(500);
  const path = `e2e-test-report/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  if (process.env.STAGEFLOW_UPDATE_DOCS === '1') {
    copyFileSync(path, resolve('plugins/stageflow/docs', `${name}.png`));
  }
}
