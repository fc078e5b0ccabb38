import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@backstage/errors';
import type { GitFileCommitRequest, GitPerson } from './types';
import { runGit } from './runGit';

/** What the file operations need of a plain git clone. */
export interface PlainFileClone {
  /** The bare clone. */
  path: string;
  /** Credentials for lazily fetched blobs of the partial clone. */
  env: Record<string, string>;
}

function assertPerson(person: GitPerson) {
  if (/[<>\n\r\0]/.test(`${person.name}${person.email}`)) {
    throw new InputError(
      'Author name and email must not contain <, > or line breaks',
    );
  }
}

/**
 * A file's text at a commit of the clone: the tree names its blob, which a
 * partial clone fetches on first read. Undefined when the commit has no
 * such file.
 */
export async function readPlainFile(
  clone: PlainFileClone,
  commit: string,
  path: string,
): Promise<string | undefined> {
  const { stdout } = await runGit(['ls-tree', '-z', commit, '--', path], {
    cwd: clone.path,
  });
  const entry = stdout.split('\0').find(line => line.endsWith(`\t${path}`));
  const [, type, oid] = /^\d+ (\w+) ([0-9a-f]+)\t/.exec(entry ?? '') ?? [];
  if (type !== 'blob') {
    return undefined;
  }
  const blob = await runGit(['cat-file', 'blob', oid], {
    cwd: clone.path,
    env: clone.env,
  });
  return blob.stdout;
}

/**
 * Makes the commit of {@link GitFileCommitRequest} in the bare clone,
 * without a work tree: the blob, a tree from a private index seeded with
 * the parent's tree, the commit. Returns its sha; pushing is the caller's.
 */
export async function makePlainFileCommit(
  clone: PlainFileClone,
  request: GitFileCommitRequest,
  identity: GitPerson,
): Promise<string> {
  const author = request.author ?? identity;
  assertPerson(author);
  const git = async (
    args: string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ) =>
    (
      await runGit(args, {
        cwd: clone.path,
        input: options.input,
        env: { ...clone.env, ...options.env },
      })
    ).stdout.trim();
  const scratch = await mkdtemp(join(tmpdir(), 'stageflow-index-'));
  try {
    const index = { GIT_INDEX_FILE: join(scratch, 'index') };
    const blob = await git(['hash-object', '-w', '--stdin'], {
      input: request.content,
    });
    await git(['read-tree', request.parent], { env: index });
    await git(
      [
        'update-index',
        '--add',
        '--cacheinfo',
        `100644,${blob},${request.path}`,
      ],
      { env: index },
    );
    const tree = await git(['write-tree'], { env: index });
    const date = `${Math.floor(Date.now() / 1000)} +0000`;
    return await git(['commit-tree', tree, '-p', request.parent, '-F', '-'], {
      input: `${request.message.replace(/\n*$/, '')}\n`,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email,
        GIT_COMMITTER_DATE: date,
      },
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
