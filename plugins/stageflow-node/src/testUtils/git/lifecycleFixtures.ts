import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlainGitClient } from '../../git/PlainGitClient';
import { git, makeTempDir } from './gitFixtures';

/** Shas of {@link createLifecycleRepository}, by role. */
export interface LifecycleRepository {
  /** The bare repository. */
  path: string;
  shas: {
    init: string;
    search: string;
    footer: string;
    appLine: string;
    login: string;
    conflicting: string;
  };
}

async function commitFile(
  dir: string,
  file: string,
  content: string,
  message: string,
  hour: number,
) {
  await writeFile(join(dir, file), content);
  await git(dir, ['add', file]);
  const date = `${1700000000 + hour * 3600} +0000`;
  await git(dir, [
    '-c',
    `user.name=Ada Author`,
    'commit',
    '--quiet',
    '-m',
    message,
    `--date=${date}`,
  ]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/**
 * A bare repository for merges and cherry-picks, with real file contents
 * so that git can tell clean merges from conflicts:
 *
 *   develop:          init(v1.0.0) - feat: search - fix: footer - fix: app line
 *   main:             init(v1.0.0)   (GitFlow's release branch, behind develop)
 *   hotfix/login:     init - fix: login redirect (v1.0.1)
 *   hotfix/conflict:  init - fix: app line, another way (conflicts with develop)
 *
 * `app.txt` is changed on develop and on hotfix/conflict in the same line.
 */
export async function createLifecycleRepository(
  root: string,
  name = 'lifecycle.git',
): Promise<LifecycleRepository> {
  const work = join(root, `${name}-work`);
  await git(root, ['init', '--quiet', '-b', 'develop', work]);
  const init = await commitFile(
    work,
    'app.txt',
    'title\nline: one\nend\n',
    'chore: initial commit',
    1,
  );
  await git(work, ['tag', 'v1.0.0']);
  await git(work, ['branch', 'main']);
  const search = await commitFile(
    work,
    'search.txt',
    'search\n',
    'feat: search',
    2,
  );
  const footer = await commitFile(
    work,
    'footer.txt',
    'footer without typo\n',
    'fix: footer typo',
    3,
  );
  const appLine = await commitFile(
    work,
    'app.txt',
    'title\nline: two\nend\n',
    'fix: app line',
    4,
  );
  await git(work, ['checkout', '--quiet', '-b', 'hotfix/login', 'v1.0.0']);
  const login = await commitFile(
    work,
    'login.txt',
    'redirect to the last page\n',
    'fix: login redirects to the last page',
    5,
  );
  await git(work, ['tag', '-a', 'v1.0.1', '-m', 'Release 1.0.1']);
  await git(work, ['checkout', '--quiet', '-b', 'hotfix/conflict', 'v1.0.0']);
  const conflicting = await commitFile(
    work,
    'app.txt',
    'title\nline: three\nend\n',
    'fix: app line, another way',
    6,
  );
  const path = join(root, name);
  await git(root, ['clone', '--quiet', '--bare', work, path]);
  await git(path, ['symbolic-ref', 'HEAD', 'refs/heads/develop']);
  await git(path, ['config', 'uploadpack.allowFilter', 'true']);
  await git(path, ['config', 'http.receivepack', 'true']);
  return {
    path,
    shas: { init, search, footer, appLine, login, conflicting },
  };
}

/**
 * {@link createLifecycleRepository} in a temporary directory, behind a
 * PlainGitClient over file://.
 */
export async function openLifecycleRepository() {
  const temp = await makeTempDir('lifecycle');
  const fixture = await createLifecycleRepository(temp.dir);
  const url = `file://${fixture.path}`;
  const repository = new PlainGitClient({
    locator: { type: 'git', url },
    remoteUrl: url,
    cacheDir: join(temp.dir, 'cache'),
  });
  return { fixture, repository, cleanup: temp.cleanup };
}
