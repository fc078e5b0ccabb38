import { APIRequestContext, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { authHeaders, backend, runTemplate } from './helpers';

// Changes the demo data, which CI regenerates before the demo starts; the
// files after it (they run in name order) take Phippy from where it leaves it.
const phippyRepo = join(
  __dirname,
  '..',
  '..',
  '..',
  '.stageflow-demo',
  'git',
  'acme',
  'phippy.git',
);

function refs(): string {
  return execFileSync('git', ['ls-remote', phippyRepo], {
    encoding: 'utf8',
  });
}

async function stages(request: APIRequestContext) {
  const headers = await authHeaders(request);
  const url = `${backend}/api/stageflow/v1/entities/component/default/phippy/stages`;
  // 404 until the catalog has ingested the examples after start-up.
  await expect
    .poll(async () => (await request.get(url, { headers })).status(), {
      timeout: 60_000,
    })
    .toBe(200);
  return (await request.get(url, { headers })).json();
}

test.describe.configure({ mode: 'serial' });

test('a bad version is refused and leaves git and the registry as they were', async ({
  request,
}) => {
  const refsBefore = refs();
  const stagesBefore = await stages(request);
  const result = await runTemplate(request, 'tag-release', {
    entityRef: 'component:default/phippy',
    version: '1.0.0',
  });
  expect(result.status).toBe('failed');
  expect(result.log).toMatch(/1\.0\.0/);
  expect(refs()).toBe(refsBefore);
  const stagesAfter = await stages(request);
  expect(stagesAfter.stages.map((s: any) => s.digest)).toEqual(
    stagesBefore.stages.map((s: any) => s.digest),
  );
});

test('tag release (patch) then promote to prod moves prod to the new version with the candidate digest', async ({
  request,
}) => {
  // The commit before develop's head: the head is left unreleased for the
  // card's test after this file (a released commit is not released again).
  const commit = execFileSync('git', ['rev-parse', 'develop~1'], {
    cwd: phippyRepo,
    encoding: 'utf8',
  }).trim();
  const tagged = await runTemplate(request, 'tag-release', {
    entityRef: 'component:default/phippy',
    ref: commit,
    bump: 'patch',
  });
  expect(tagged.status, tagged.log).toBe('completed');
  expect(refs()).toContain('refs/tags/v1.3.1');

  const again = await runTemplate(request, 'tag-release', {
    entityRef: 'component:default/phippy',
    ref: commit,
    bump: 'patch',
  });
  expect(again.status).toBe('failed');
  expect(again.log).toContain('already released');
  expect(refs()).not.toContain('refs/tags/v1.3.2');

  const promoted = await runTemplate(request, 'promote-to-stage', {
    entityRef: 'component:default/phippy',
    stage: 'prod',
    version: '1.3.1',
  });
  expect(promoted.status, promoted.log).toBe('completed');

  // A write through Stageflow is seen at once, with the default cache TTL.
  const body = await stages(request);
  const prod = body.stages.find((s: any) => s.name === 'prod');
  expect(prod.version).toBe('1.3.1');
  expect(prod.revision).toBe(commit);
  expect(prod.status).toBe('ok');
});

test('start hotfix creates the branch from the latest release', async ({
  request,
}) => {
  const result = await runTemplate(request, 'start-hotfix', {
    entityRef: 'component:default/phippy',
    name: 'e2e-check',
  });
  expect(result.status, result.log).toBe('completed');
  expect(refs()).toContain('refs/heads/hotfix/e2e-check');
});

test('finish hotfix merges the hotfix back and deletes its branch', async ({
  request,
}) => {
  const result = await runTemplate(request, 'finish-hotfix', {
    entityRef: 'component:default/phippy',
    branch: 'hotfix/e2e-check',
    deleteBranch: true,
  });
  expect(result.status, result.log).toBe('completed');
  // The branch starts at the latest release, which develop contains.
  expect(result.log).toMatch(
    /Finished hotfix\/e2e-check: develop already contains hotfix\/e2e-check; deleted hotfix\/e2e-check/,
  );
  expect(refs()).not.toContain('refs/heads/hotfix/e2e-check');
});
