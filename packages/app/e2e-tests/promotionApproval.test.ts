import { APIRequestContext, Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { authHeaders, backend, saveScreenshot } from './helpers';

// Runs after app.test.ts and demoApi.test.ts, which expect Goldie's prd in
// drift: this test promotes it. Goldie's dev and int stay as they were.

const goldie = 'component:default/goldie';
const goldiePaths = `${backend}/api/stageflow/v1/entities/component/default/goldie`;
const receiptType = 'application/vnd.stageflow.promotion.receipt.v1+json';
/** The demo's registry: an OCI image layout, every repository in one. */
const ociLayout = resolve('.stageflow-demo/oci');

async function prdStage(request: APIRequestContext) {
  const res = await request.get(`${goldiePaths}/stages`, {
    headers: await authHeaders(request),
  });
  expect(res.status()).toBe(200);
  return (await res.json()).stages.find((s: any) => s.name === 'prd') as {
    version?: string;
    digest?: string;
    status: string;
  };
}

async function signInAsTeammate(page: Page) {
  await page.goto('/');
  // The second card of the sign-in page; guest's button is "Enter".
  const signIn = page.getByRole('button', { name: 'Sign In' });
  await expect(signIn).toBeVisible();
  await signIn.click();
  await expect(page.getByRole('link', { name: 'Stageflow' })).toBeVisible();
}

function blob(digest: string) {
  return JSON.parse(
    readFileSync(
      resolve(ociLayout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')),
      'utf8',
    ),
  );
}

test('a promotion of Goldie to prd waits for another member of team-b', async ({
  page,
  request,
}) => {
  const before = await prdStage(request);
  expect(before).toMatchObject({ version: '1.2.1', status: 'drift' });

  // Requested as guest (team-a and team-b).
  const guest = await authHeaders(request);
  const promoted = await request.post(
    `${backend}/api/stageflow/v1/promotions`,
    {
      headers: guest,
      data: { target: { entityRef: goldie }, stage: 'prd', version: '1.2.1' },
    },
  );
  expect(promoted.status(), await promoted.text()).toBe(200);
  const body = await promoted.json();
  expect(body).toMatchObject({
    state: 'pending',
    requestId: expect.any(String),
    version: '1.2.1',
  });
  const { requestId, digest } = body as { requestId: string; digest: string };
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(digest).not.toBe(before.digest);
  expect((await prdStage(request)).digest).toBe(before.digest);

  // The requester's own approval does not count.
  const own = await request.post(
    `${backend}/api/stageflow/v1/promotions/${requestId}/approve`,
    { headers: guest, data: {} },
  );
  expect(own.status()).toBe(403);
  expect((await own.json()).error.message).toMatch(
    /another approver must approve/,
  );

  // The approver is notified (Backstage notifications), the requester not.
  const teammate = await request.get(`${backend}/api/auth/teammate/refresh`);
  expect(teammate.ok()).toBeTruthy();
  const teammateHeaders = {
    Authorization: `Bearer ${(await teammate.json()).backstageIdentity.token}`,
  };
  const titles = async (headers: Record<string, string>) =>
    (
      (await (
        await request.get(`${backend}/api/notifications/notifications`, {
          headers,
        })
      ).json()) as { notifications: { payload: { title: string } }[] }
    ).notifications.map(n => n.payload.title);
  const waits = 'Promotion of goldie 1.2.1 to prd waits for your approval';
  await expect.poll(() => titles(teammateHeaders)).toContain(waits);
  expect(await titles(guest)).not.toContain(waits);

  // The teammate (bjoern.dieding, team-b) approves in the Stageflow tab.
  await signInAsTeammate(page);
  await page.goto('/catalog/default/component/goldie/stageflow');
  await expect(
    page.getByText('Promotion requests', { exact: true }),
  ).toBeVisible();
  const request_ = page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'prd', exact: true }) })
    .filter({ hasText: 'pending' })
    .filter({ hasText: 'user:default/guest' });
  await expect(request_).toHaveCount(1);
  await expect(request_).toContainText('seconds ago');
  await expect(request_).toContainText('1.2.1');
  await expect(request_).toContainText('0/1');
  await saveScreenshot(page, 'stageflow-approval');
  await request_.getByRole('button', { name: 'Approve' }).click();

  // The newest request comes first.
  const decided = page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'prd', exact: true }) })
    .filter({ hasText: 'user:default/guest' })
    .first();
  await expect(decided).toContainText('1/1');
  await expect(decided).toContainText('done');
  await expect(decided.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  // prd runs the tested candidate now: no longer a rebuild.
  await expect
    .poll(async () => prdStage(request), { timeout: 60_000 })
    .toMatchObject({ version: '1.2.1', digest, status: 'ok' });

  // The requester hears how it ended.
  await expect
    .poll(() => titles(guest))
    .toContain('Your promotion of goldie 1.2.1 to prd was approved and ran');

  // The history names requester and approver.
  const history = await (
    await request.get(`${goldiePaths}/history`, { headers: guest })
  ).json();
  expect(history.transitions).toContainEqual(
    expect.objectContaining({
      stage: 'prd',
      toDigest: digest,
      actor: 'user:default/guest',
      approvers: ['user:default/bjoern.dieding'],
    }),
  );

  // The card on the overview, and the history in the tab.
  await page.goto('/catalog/default/component/goldie');
  const prdRow = page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'prd', exact: true }) });
  await expect(prdRow).toHaveCount(1);
  await expect(prdRow).toContainText('1.2.1');
  await expect(prdRow).toContainText('ok');
  await page.goto('/catalog/default/component/goldie/stageflow');
  await expect(
    page.getByText(/approved by user:default\/bjoern\.dieding/).first(),
  ).toBeVisible();

  // The receipt is an OCI artifact next to the image, its subject the
  // promoted digest, listed under the referrers tag sha256-<hex> (the OCI
  // 1.1 tag schema), as skopeo reads the layout.
  const referrers = JSON.parse(
    execFileSync(
      'skopeo',
      [
        'inspect',
        '--raw',
        `oci:${ociLayout}:acme/goldie:${digest.replace(':', '-')}`,
      ],
      { encoding: 'utf8' },
    ),
  );
  const receipts = referrers.manifests.filter(
    (m: any) => m.artifactType === receiptType,
  );
  expect(receipts).toHaveLength(1);
  const artifact = blob(receipts[0].digest);
  expect(artifact).toMatchObject({
    artifactType: receiptType,
    subject: { digest },
  });
  expect(blob(artifact.layers[0].digest)).toMatchObject({
    entityRef: goldie,
    stage: 'prd',
    version: '1.2.1',
    digest,
    fromDigest: before.digest,
    requester: 'user:default/guest',
    approvers: ['user:default/bjoern.dieding'],
    requestId,
  });
});
