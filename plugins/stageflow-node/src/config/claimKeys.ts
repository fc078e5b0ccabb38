import { parseImageReference } from '@stageflow/plugin-stageflow-common';
import { GitRepositoryLocator } from '../git/types';

/**
 * The one spelling of a repository or image, so that two entities naming
 * the same one differently (`.git` or not, https or ssh, case) are seen as
 * two claims on it: `host/path`, lowercase, no scheme, user or `.git`.
 * Undefined when the text is neither.
 *
 * @public
 */
export function claimKeyOf(text: string): string | undefined {
  let rest = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
  } else {
    // scp-like ssh: git@host:owner/repo.git
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\d+\/)(.+)$/.exec(rest);
    if (scp) {
      rest = `${scp[1]}/${scp[2]}`;
    }
  }
  rest = rest
    .replace(/^[^@/]+@/, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .toLowerCase();
  const [host, ...path] = rest.split('/');
  if (!host || path.length === 0 || path.some(part => part === '')) {
    return undefined;
  }
  return [host, ...path].join('/');
}

/** The claim key of a component's repository. @public */
export function repositoryClaimKey(
  locator: GitRepositoryLocator,
): string | undefined {
  return locator.type === 'github'
    ? claimKeyOf(`${locator.host}/${locator.owner}/${locator.repo}`)
    : claimKeyOf(locator.url);
}

/** The claim key of an image base (`registry/path`). @public */
export function imageClaimKey(image: string): string | undefined {
  try {
    const ref = parseImageReference(image);
    return claimKeyOf(`${ref.registry}/${ref.repository}`);
  } catch {
    return undefined;
  }
}
