import { ConflictError, CustomErrorBase } from '@backstage/errors';

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

/**
 * A merge or cherry-pick that git cannot make without a person: the files
 * both sides changed. Nothing was pushed. A ConflictError (409) to routers.
 *
 * @public
 */
export class GitConflictError extends ConflictError {
  readonly files: string[];
  readonly commit?: string;

  constructor(message: string, options: { files: string[]; commit?: string }) {
    super(message);
    this.files = options.files;
    this.commit = options.commit;
  }
}
