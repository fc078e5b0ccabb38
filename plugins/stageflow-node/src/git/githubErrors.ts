import { ConflictError, NotFoundError } from '@backstage/errors';
import { UpstreamError } from '../resilience/UpstreamError';

interface OctokitLikeError {
  status?: number;
  message?: string;
}

/**
 * Maps a failed GitHub call to the errors callers rely on: 404, an unknown
 * commit and an empty repository (409 "Git Repository is empty.") are
 * NotFoundError, an existing ref ConflictError; a failure of the host (no
 * response, 5xx, rate limit: already an UpstreamError from the policy) and
 * a refusal of our credentials (401, 403) are UpstreamError.
 */
export function toGithubError(
  error: unknown,
  context: { host: string; repository: string; operation: string },
): Error {
  if (error instanceof UpstreamError) {
    return error.withContext(context);
  }
  const { status, message = '' } = (error ?? {}) as OctokitLikeError;
  if (status === undefined) {
    // Not an answer of the host: a fault of ours, which is not hidden as 502.
    return error instanceof Error ? error : new Error(String(error));
  }
  const where = `on ${context.host} while trying to ${context.operation} in ${context.repository}`;
  if (status === 404) {
    return new NotFoundError(`Not found ${where}`);
  }
  if (status === 409 && /repository is empty/i.test(message)) {
    return new NotFoundError(`The repository is empty ${where}`);
  }
  if (
    status === 422 &&
    /no commit found|object does not exist/i.test(message)
  ) {
    return new NotFoundError(`Commit not found ${where}`);
  }
  if (status === 409 || status === 422) {
    return new ConflictError(`Conflict ${where}: ${message.slice(0, 200)}`);
  }
  let detail: string | undefined;
  if (status === 401) {
    detail = 'authentication failed; check integrations.github credentials';
  } else if (status === 403) {
    detail = 'access denied to the configured credentials';
  }
  return new UpstreamError({
    kind: 'git',
    ...context,
    status,
    detail,
    cause: error,
  });
}
