import { ConflictError, NotFoundError } from '@backstage/errors';
import { GitUpstreamError } from './errors';

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/**
 * Maps an Octokit failure to the errors callers rely on: 404 is
 * NotFoundError, an existing ref ConflictError, anything from the host's side
 * (auth, rate limit, 5xx, network) GitUpstreamError.
 */
export function toGithubError(
  error: unknown,
  context: { host: string; repository: string; operation: string },
): Error {
  const { status, message = '', response } = (error ?? {}) as OctokitLikeError;
  if (status === 404) {
    return new NotFoundError(
      `Not found on ${context.host} while trying to ${context.operation} in ${context.repository}`,
    );
  }
  if (status === 409 || status === 422) {
    if (
      status === 422 &&
      /no commit found|object does not exist/i.test(message)
    ) {
      return new NotFoundError(
        `Commit not found on ${context.host} while trying to ${context.operation} in ${context.repository}`,
      );
    }
    return new ConflictError(
      `Conflict on ${context.host} while trying to ${context.operation} in ${context.repository}: ${message}`,
    );
  }
  let detail: string | undefined;
  if (status === 401) {
    detail = 'authentication failed; check integrations.github credentials';
  } else if (status === 403 || status === 429) {
    const headers = response?.headers ?? {};
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      detail = `rate limit exceeded${
        reset ? `, resets at ${new Date(reset * 1000).toISOString()}` : ''
      }`;
    } else if (/rate limit/i.test(message)) {
      detail = 'secondary rate limit exceeded';
    } else {
      detail = 'access denied to the configured credentials';
    }
  } else if (message) {
    detail = message.slice(0, 200);
  }
  return new GitUpstreamError({
    host: context.host,
    repository: context.repository,
    operation: context.operation,
    status,
    detail,
    cause: error,
  });
}
