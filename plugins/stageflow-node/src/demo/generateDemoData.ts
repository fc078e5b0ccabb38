import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ImageReference } from '@stageflow/plugin-stageflow-common';
import { OciLayoutRegistryClient } from '../registry/OciLayoutRegistryClient';
import { pushImage } from '../registry/pushImage';
import {
  demoGitopsFlows,
  generateGitopsRepository,
} from './generateGitopsRepository';

const run = promisify(execFile);

/**
 * Host names the demo's annotations use; config routes them to local data.
 *
 * @public
 */
export const DEMO_GIT_HOST = 'git.acme.example';
/** @public */
export const DEMO_REGISTRY_HOST = 'registry.acme.example';

const MARKER = 'stageflow-demo.json';
const HOUR = 3600;

/** @public */
export interface DemoData {
  dir: string;
  gitDir: string;
  ociDir: string;
  /** Whether this call generated the data (false: it was there already). */
  generated: boolean;
}

class DemoRepo {
  private clock: number;
  readonly shas = new Map<string, string>();

  constructor(readonly dir: string, start: number) {
    this.clock = start;
  }

  /** Each change of the history happens a few hours after the previous one. */
  tick() {
    this.clock += 3 * HOUR;
  }

  async git(...args: string[]): Promise<string> {
    const date = `${this.clock} +0000`;
    const { stdout } = await run('git', args, {
      cwd: this.dir,
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Acme CI',
        GIT_AUTHOR_EMAIL: 'ci@acme.example',
        GIT_COMMITTER_NAME: 'Acme CI',
        GIT_COMMITTER_EMAIL: 'ci@acme.example',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
    return stdout.trim();
  }

  async commit(message: string): Promise<string> {
    // One file per change, so that merging branches never conflicts.
    const file = `change-${this.shas.size + 1}-${message.replace(/\W+/g, '-')}`;
    await fs.writeFile(join(this.dir, file), `${message}\n`);
    await this.git('add', file);
    this.tick();
    await this.git('commit', '-q', '-m', message);
    const sha = await this.git('rev-parse', 'HEAD');
    this.shas.set(message, sha);
    return sha;
  }

  async merge(branch: string, message: string): Promise<string> {
    this.tick();
    await this.git('merge', '-q', '--no-ff', '-m', message, branch);
    return this.git('rev-parse', 'HEAD');
  }

  async tag(name: string): Promise<void> {
    this.tick();
    await this.git('tag', '-a', name, '-m', `Release ${name}`);
  }
}

async function initRepo(dir: string, branch: string, start: number) {
  await fs.mkdir(dir, { recursive: true });
  const repo = new DemoRepo(dir, start);
  await repo.git('init', '-q', '-b', branch);
  return repo;
}

async function publish(repo: DemoRepo, bareDir: string) {
  await fs.mkdir(join(bareDir, '..'), { recursive: true });
  await run('git', ['clone', '-q', '--bare', repo.dir, bareDir]);
}

async function describe(repo: DemoRepo, sha: string): Promise<string> {
  return repo.git('describe', '--tags', '--always', sha);
}

/**
 * Builds the "image" of a commit the way the seeds' CI does: one image per
 * commit, labelled with its revision and version, then tagged.
 */
async function buildImage(
  layout: OciLayoutRegistryClient,
  repo: DemoRepo,
  app: string,
  sha: string,
  ref: ImageReference,
  extra = '',
) {
  return pushImage(layout, ref, {
    layers: [Buffer.from(`${app} at ${sha}${extra}\n`)],
    labels: {
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': await describe(repo, sha),
      'org.opencontainers.image.source': `https://${DEMO_GIT_HOST}/acme/${app}`,
    },
    created: new Date(
      Number(await repo.git('show', '-s', '--format=%ct', sha)) * 1000 +
        20 * 60 * 1000,
    ).toISOString(),
  });
}

function demoImage(repository: string, tag: string): ImageReference {
  return { registry: DEMO_REGISTRY_HOST, repository, tag };
}

/**
 * Phippy, shipped with Oneflow (seed oneflow-github-actions.txt): releases
 * v1.0.0..v1.3.0 on develop, a hotfix branch with v1.2.1 merged back. Prod
 * runs v1.2.1, one release and several commits behind staging.
 */
async function phippy(
  work: string,
  gitDir: string,
  layout: OciLayoutRegistryClient,
  start: number,
) {
  const repo = await initRepo(join(work, 'phippy'), 'develop', start);
  const image = 'acme/phippy';
  const develop: string[] = [];
  const step = async (message: string, tag?: string) => {
    develop.push(await repo.commit(message));
    if (tag) await repo.tag(tag);
  };
  await step('feat: landing page', 'v1.0.0');
  await step('feat: contact form');
  await step('fix: validate the e-mail field', 'v1.1.0');
  await step('feat: dark mode');
  await step('docs: explain the theme switch', 'v1.2.0');
  await repo.git('checkout', '-q', '-b', 'hotfix/login-redirect', 'v1.2.0');
  const hotfix = await repo.commit('fix: login redirects to the last page');
  await repo.tag('v1.2.1');
  await repo.git('checkout', '-q', 'develop');
  await step('feat: search');
  develop.push(
    await repo.merge(
      'hotfix/login-redirect',
      'chore: merge hotfix/login-redirect into develop',
    ),
  );
  await step('feat: newsletter sign-up', 'v1.3.0');
  await step('feat: cookie banner');
  await step('fix: footer typo');
  await publish(repo, join(gitDir, 'acme', 'phippy.git'));

  for (const sha of [...develop, hotfix]) {
    await buildImage(
      layout,
      repo,
      'phippy',
      sha,
      demoImage(`${image}/release-candidate`, sha),
    );
  }
  for (const sha of develop) {
    await layout.copy(demoImage(`${image}/release-candidate`, sha), [
      demoImage(`${image}/develop`, sha),
    ]);
  }
  const head = develop[develop.length - 1];
  await layout.copy(demoImage(`${image}/release-candidate`, head), [
    demoImage(`${image}/develop`, 'latest'),
  ]);
  for (const tag of ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.2.1']) {
    const sha = await repo.git('rev-list', '-n', '1', tag);
    await layout.copy(demoImage(`${image}/release-candidate`, sha), [
      demoImage(`${image}/stable`, tag),
      demoImage(`${image}/stable`, 'latest'),
    ]);
  }
}

/**
 * Goldie, shipped with GitFlow for DevOps (seed gitflow-for-devops.txt):
 * main carries 1.1.0, 1.2.0 and 1.2.1, dev integrates feat/* and fix/*. Its
 * prd runs a rebuild of 1.2.1 instead of the tested image: drift.
 */
async function goldie(
  work: string,
  gitDir: string,
  layout: OciLayoutRegistryClient,
  start: number,
) {
  const repo = await initRepo(join(work, 'goldie'), 'main', start);
  const image = 'acme/goldie';
  const all: string[] = [];
  const commit = async (message: string) => {
    const sha = await repo.commit(message);
    all.push(sha);
    return sha;
  };
  await commit('feat: operator skeleton');
  await commit('feat: provision PostgreSQL clusters');
  await repo.tag('1.1.0');
  await repo.git('checkout', '-q', '-b', 'dev');
  await repo.git('checkout', '-q', '-b', 'feat/backups');
  await commit('feat: scheduled backups');
  await repo.git('checkout', '-q', 'dev');
  all.push(
    await repo.merge('feat/backups', 'chore: merge feat/backups into dev'),
  );
  await repo.git('checkout', '-q', '-b', 'fix/reconcile');
  await commit('fix: reconcile loop on deleted clusters');
  await repo.git('checkout', '-q', 'dev');
  all.push(
    await repo.merge('fix/reconcile', 'chore: merge fix/reconcile into dev'),
  );
  await repo.git('checkout', '-q', 'main');
  all.push(await repo.merge('dev', 'chore: release 1.2.0'));
  await repo.tag('1.2.0');
  await repo.git('checkout', '-q', '-b', 'hotfix/empty-spec');
  await commit('fix: crash on an empty spec');
  await repo.git('checkout', '-q', 'main');
  all.push(
    await repo.merge(
      'hotfix/empty-spec',
      'chore: merge hotfix/empty-spec into main',
    ),
  );
  await repo.tag('1.2.1');
  await repo.git('checkout', '-q', 'dev');
  all.push(await repo.merge('main', 'chore: merge main into dev'));
  await repo.git('checkout', '-q', '-b', 'feat/restore');
  await commit('feat: restore from a backup');
  await repo.git('checkout', '-q', 'dev');
  all.push(
    await repo.merge('feat/restore', 'chore: merge feat/restore into dev'),
  );
  await repo.git('checkout', '-q', '-b', 'fix/metrics-port');
  await commit('fix: expose metrics on 9187');
  await repo.git('checkout', '-q', 'dev');
  const devHead = await repo.merge(
    'fix/metrics-port',
    'chore: merge fix/metrics-port into dev',
  );
  all.push(devHead);
  await publish(repo, join(gitDir, 'acme', 'goldie.git'));

  for (const sha of all) {
    await buildImage(
      layout,
      repo,
      'goldie',
      sha,
      demoImage(image, `sha-${sha}`),
    );
  }
  const mainHead = await repo.git('rev-parse', 'main');
  const released = await repo.git('rev-list', '-n', '1', '1.2.1');
  await layout.copy(demoImage(image, `sha-${devHead}`), [
    demoImage(image, 'dev'),
  ]);
  await layout.copy(demoImage(image, `sha-${mainHead}`), [
    demoImage(image, 'int'),
  ]);
  for (const version of ['1.1.0', '1.2.0']) {
    const sha = await repo.git('rev-list', '-n', '1', version);
    await layout.copy(demoImage(image, `sha-${sha}`), [
      demoImage(image, version),
    ]);
  }
  // Someone rebuilt 1.2.1 for production instead of promoting the tested
  // candidate: same revision, another digest.
  await buildImage(
    layout,
    repo,
    'goldie',
    released,
    demoImage(image, 'prd'),
    ' (rebuilt)',
  );
  await layout.copy(demoImage(image, 'prd'), [demoImage(image, '1.2.1')]);
}

/**
 * Generates the demo data under `dir`: bare git repositories under `git/`
 * and an OCI image layout under `oci/`. Idempotent: existing data is kept
 * (the demo's actions change it) unless `reset` is set.
 *
 * @public
 */
export async function generateDemoData(
  dir: string,
  options: { reset?: boolean; now?: Date } = {},
): Promise<DemoData> {
  const root = resolve(dir);
  const result = {
    dir: root,
    gitDir: join(root, 'git'),
    ociDir: join(root, 'oci'),
  };
  const marker = join(root, MARKER);
  if (!options.reset) {
    try {
      await fs.access(marker);
      return { ...result, generated: false };
    } catch {
      // not generated yet
    }
  }
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  const work = await fs.mkdtemp(join(tmpdir(), 'stageflow-demo-'));
  try {
    const layout = new OciLayoutRegistryClient({
      host: DEMO_REGISTRY_HOST,
      path: result.ociDir,
    });
    // Histories end a few hours before now, so ages and DORA figures read
    // like a live project.
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    await phippy(work, result.gitDir, layout, now - 70 * HOUR);
    await goldie(work, result.gitDir, layout, now - 95 * HOUR);
    await generateGitopsRepository({
      work,
      gitDir: result.gitDir,
      layout,
      start: now - 30 * HOUR,
    });
    await fs.writeFile(
      marker,
      JSON.stringify({ generatedAt: new Date().toISOString() }, null, 2),
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  return { ...result, generated: true };
}

/**
 * The `stageflow` config keys that route the demo's hosts to its data: the
 * git host to the bare repositories (plain git over file://), the registry
 * host to the OCI image layout, the git cache beside them; and the demo's
 * one contributor, `devops`, written by the guest (the onboard-app
 * template), which may not write Users, Groups or annotations Stageflow acts
 * on.
 *
 * @public
 */
export function demoStageflowConfig(
  data: Pick<DemoData, 'dir' | 'gitDir' | 'ociDir'>,
) {
  return {
    flows: demoGitopsFlows(),
    git: {
      cacheDir: join(data.dir, 'git-cache'),
      hosts: [
        { host: DEMO_GIT_HOST, baseUrl: pathToFileURL(data.gitDir).href },
      ],
    },
    registries: [
      { host: DEMO_REGISTRY_HOST, type: 'oci-layout', path: data.ociDir },
    ],
    contributors: {
      devops: {
        writers: { users: ['user:default/guest'] },
        kinds: ['Component', 'Resource', 'System', 'Domain'],
      },
    },
  };
}
