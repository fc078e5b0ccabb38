import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests run against the demo (`yarn start`) in Debian's Chromium:
 * Playwright's own browser download is not available everywhere, so the
 * browser comes from the system (`STAGEFLOW_CHROMIUM`, default
 * /usr/bin/chromium).
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ['json', { outputFile: 'e2e-test-report/results.json' }],
  ],
  outputDir: 'node_modules/.cache/e2e-test-results',
  webServer: {
    // CI starts from clean demo data: the scaffolder tests change it.
    command: process.env.CI ? 'yarn demo:reset && yarn start' : 'yarn start',
    url: 'http://localhost:7007/api/stageflow/health',
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL: 'http://localhost:3000',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.STAGEFLOW_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
