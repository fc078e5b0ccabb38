import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGit } from '../../git/runGit';

/**
 * Read-only git for the fake GitHub: what git answers about a bare
 * repository is kept for as long as its refs stay the same, so that a
 * thousand names for one repository, or fifty fields of one query, cost
 * one git process per question instead of one each. The refs are read from
 * the repository's files on every call (HEAD, packed-refs and the loose
 * refs), so any change, by the fake's own writes or by `git` run beside it,
 * is seen at once. Failures are never kept: an object or ref that appears
 * later is found.
 */

const answers = new Map<
  string,
  { state: string; byArgs: Map<string, Promise<string>> }
>();

function readAll(dir: string, out: string[]) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      readAll(path, out);
    } else if (entry.isFile()) {
      try {
        out.push(path, readFileSync(path, 'utf8'));
      } catch {
        // Gone between the listing and the read: renamed over or deleted.
        out.push(path, '');
      }
    }
  }
}

/** The repository's refs as its files say, or undefined when not readable. */
function refsState(repo: string): string | undefined {
  const gitDir = existsSync(join(repo, 'refs')) ? repo : join(repo, '.git');
  if (
    !existsSync(join(gitDir, 'refs')) ||
    existsSync(join(gitDir, 'reftable'))
  ) {
    return undefined;
  }
  const out: string[] = [];
  for (const file of ['HEAD', 'packed-refs']) {
    try {
      out.push(file, readFileSync(join(gitDir, file), 'utf8'));
    } catch {
      out.push(file, '');
    }
  }
  readAll(join(gitDir, 'refs'), out);
  return out.join('\0');
}

/** `git <args>` in `repo`, answered from memory while its refs are unchanged. */
export function readGit(repo: string, args: string[]): Promise<string> {
  const run = () => runGit(args, { cwd: repo }).then(r => r.stdout);
  const state = refsState(repo);
  if (state === undefined) {
    return run();
  }
  let known = answers.get(repo);
  if (!known || known.state !== state) {
    known = { state, byArgs: new Map() };
    answers.set(repo, known);
  }
  const key = args.join('\0');
  const cached = known.byArgs.get(key);
  if (cached) {
    return cached;
  }
  const answer = run();
  const byArgs = known.byArgs;
  byArgs.set(key, answer);
  answer.catch(() => {
    if (byArgs.get(key) === answer) {
      byArgs.delete(key);
    }
  });
  return answer;
}
