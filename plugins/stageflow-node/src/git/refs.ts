import { InputError } from '@backstage/errors';
import { validateRefName } from '@stageflow/plugin-stageflow-common';

const SHA_PATTERN = /^[0-9a-f]{4,64}$/i;

/** Whether a string is a (possibly abbreviated) object id. */
export function isSha(value: string): boolean {
  return SHA_PATTERN.test(value);
}

/** Throws InputError naming the broken check-ref-format rule. */
export function assertValidRefName(name: string): void {
  const result = validateRefName(name);
  if (!result.ok) {
    throw new InputError(result.message);
  }
}

/** A ref to resolve: an object id, or a branch or tag name. */
export function assertValidRevision(ref: string): void {
  if (!isSha(ref)) {
    assertValidRefName(ref);
  }
}

/** Full object ids only: written into refs and tag objects as they are. */
export function assertFullSha(sha: string): void {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new InputError(`'${sha}' is not a full commit sha`);
  }
}
