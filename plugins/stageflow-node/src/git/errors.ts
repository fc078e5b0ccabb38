import { CustomErrorBase } from '@backstage/errors';

/**
 * A git host failed or refused us (5xx, network, authentication, rate
 * limit): not the caller's fault, so never an InputError. The message names
 * host, repository, operation and status, and never a credential.
 *
 * @public
 */
export class GitUpstreamError extends CustomErrorBase {
  name = 'GitUpstreamError' as const;
  /** What a Backstage router answers: the failure is upstream, not the caller's. */
  readonly statusCode = 502;
  readonly host: string;
  readonly repository: string;
  readonly operation: string;
  readonly status?: number;

  constructor(options: {
    host: string;
    repository: string;
    operation: string;
    status?: number;
    detail?: string;
    cause?: Error | unknown;
  }) {
    const status = options.status ? ` with status ${options.status}` : '';
    const detail = options.detail ? `: ${options.detail}` : '';
    super(
      `Git host ${options.host} failed to ${options.operation} for repository ${options.repository}${status}${detail}`,
      options.cause,
    );
    this.host = options.host;
    this.repository = options.repository;
    this.operation = options.operation;
    this.status = options.status;
  }
}
