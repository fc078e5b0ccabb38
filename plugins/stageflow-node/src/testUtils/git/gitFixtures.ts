import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from '../../git/runGit';

/** Identity and dates fixed so that object ids are the same on every run. */
export const FIXTURE_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada Author',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Author',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_DATE: '1700000000 +0000',
};

export async function git(cwd: string, args: string[], input?: string) {
  const { stdout } = await runGit(
    ['-c', 'user.name=Ada Author', '-c', 'user.email=ada@example.com', ...args],
    { cwd, env: FIXTURE_GIT_ENV, input },
  );
  return stdout.trim();
}

export async function makeTempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), `stageflow-${prefix}-`));
  return {
    dir,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

const BASE_TIME = 1700000000;

function data(text: string) {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

function commit(
  branch: string,
  mark: number,
  message: string,
  from?: number,
): string {
  const when = `${BASE_TIME + mark * 3600} +0000`;
  return [
    `commit refs/heads/${branch}`,
    `mark :${mark}`,
    `author Ada Author <ada@example.com> ${when}`,
    `committer Ada Author <ada@example.com> ${when}`,
    data(message).trimEnd(),
    ...(from ? [`from :${from}`] : []),
    `M 644 inline file-${mark}.txt`,
    data(`content ${mark}`).trimEnd(),
  ].join('\n');
}

function annotatedTag(
  name: string,
  mark: number,
  message: string,
  time: number,
) {
  return [
    `tag ${name}`,
    `from :${mark}`,
    `tagger Rita Releaser <rita@example.com> ${time} +0000`,
    data(message).trimEnd(),
  ].join('\n');
}

function lightweightTag(name: string, mark: number) {
  return [`reset refs/tags/${name}`, `from :${mark}`].join('\n');
}

/** Shas of the demo repository's commits, by their mark (1 = oldest). */
export interface DemoRepository {
  path: string;
  commits: Record<number, string>;
}

export const DEMO_ANNOTATED_TAG_DATE = new Date(
  (BASE_TIME + 86400) * 1000,
).toISOString();

/**
 * A bare repository with history on two branches and release tags of both
 * kinds:
 *
 *   main:    1 chore - 2 feat - 3 fix
 *   develop: 1 - 2 - 3 - 4 feat! - 5 docs
 *
 *   v1.0.0 (lightweight) on 1, v1.1.0 (annotated) on 2, v1.2.0-rc.1
 *   (annotated) and v1.2.0 (lightweight) on 3, v1.10.0 (annotated) on 5,
 *   `nightly` and `1.5.0` (not releases for `v{version}`) on 4.
 */
export async function createDemoRepository(
  root: string,
  name = 'demo.git',
): Promise<DemoRepository> {
  const path = join(root, name);
  await git(root, ['init', '--quiet', '--bare', '-b', 'main', path]);
  const stream = [
    commit('main', 1, 'chore: initial commit'),
    commit('main', 2, 'feat: add login'),
    commit('main', 3, 'fix: null check in login', 2),
    commit(
      'develop',
      4,
      'feat!: drop the v1 API\n\nBREAKING CHANGE: v1 is gone',
      3,
    ),
    commit('develop', 5, 'docs: readme', 4),
    lightweightTag('v1.0.0', 1),
    annotatedTag('v1.1.0', 2, 'Release 1.1.0', BASE_TIME + 86400),
    annotatedTag('v1.2.0-rc.1', 3, 'Release candidate', BASE_TIME + 2 * 86400),
    lightweightTag('v1.2.0', 3),
    annotatedTag('v1.10.0', 5, 'Release 1.10.0', BASE_TIME + 3 * 86400),
    lightweightTag('nightly', 4),
    lightweightTag('1.5.0', 4),
    'done',
    '',
  ].join('\n');
  await git(path, ['fast-import', '--quiet', '--done'], stream);
  const commits: Record<number, string> = {};
  const log = await git(path, ['rev-list', '--reverse', 'develop']);
  log.split('\n').forEach((sha, index) => {
    commits[index + 1] = sha;
  });
  return { path, commits };
}

/**
 * A bare repository with `count` release tags `v1.<i>.0` over 20 commits,
 * every other one annotated.
 */
export async function createManyTagsRepository(
  root: string,
  count: number,
  name = 'many.git',
): Promise<string> {
  const path = join(root, name);
  await git(root, ['init', '--quiet', '--bare', '-b', 'main', path]);
  const parts: string[] = [];
  for (let mark = 1; mark <= 20; mark++) {
    parts.push(
      commit(
        'main',
        mark,
        `feat: change ${mark}`,
        mark > 1 ? mark - 1 : undefined,
      ),
    );
  }
  for (let i = 0; i < count; i++) {
    const mark = (i % 20) + 1;
    parts.push(
      i % 2 === 0
        ? annotatedTag(`v1.${i}.0`, mark, `Release 1.${i}.0`, BASE_TIME + i)
        : lightweightTag(`v1.${i}.0`, mark),
    );
  }
  parts.push('done', '');
  await git(path, ['fast-import', '--quiet', '--done'], parts.join('\n'));
  return path;
}

/** All refs of a repository, to check that nothing changed. */
export async function showRefs(path: string): Promise<string> {
  return git(path, ['for-each-ref', '--format=%(objectname) %(refname)']);
}
