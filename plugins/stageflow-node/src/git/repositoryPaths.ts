import { InputError } from '@backstage/errors';

/**
 * Whether a path names a file inside a repository: relative, `/`-separated,
 * no `.` or `..` segment, no empty segment, no control characters or
 * backslashes, not starting with `-` (never read as an option).
 */
export function isSafeRepositoryPath(path: string): boolean {
  const control = [...path].some(c => c.charCodeAt(0) < 0x20 || c === '\x7f');
  if (!path || path.startsWith('-') || path.includes('\\') || control) {
    return false;
  }
  return path
    .split('/')
    .every(segment => segment !== '' && segment !== '.' && segment !== '..');
}

/** Throws InputError unless {@link isSafeRepositoryPath}. */
export function assertSafeRepositoryPath(path: string): void {
  if (!isSafeRepositoryPath(path)) {
    throw new InputError(
      `'${path}' is not a file path inside a repository: it must be relative, without . or .. or empty segments`,
    );
  }
}
