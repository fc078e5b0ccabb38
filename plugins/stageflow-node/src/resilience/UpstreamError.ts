import { CustomErrorBase, InputError } from '@backstage/errors';

/**
 * Which kind of upstream failed: a git host (GitHub or a plain git remote)
 * or a container registry.
 *
 * @public
 */
export type UpstreamKind = 'git' | 'registry';

/**
 * Why no HTTP status came back: the connection was refused, nothing answered
 * in time, the host name did not resolve, the connection broke, or the
 * request was never sent because the host is rate limited or its circuit is
 * open.
 *
 * @public
 */
export type UpstreamNoResponse =
  | 'connection refused'
  | 'timed out'
  | 'name not resolved'
  | 'connection reset'
  | 'network failure'
  | 'rate limited'
  | 'circuit open';

/** What {@link UpstreamError} is built from. @public */
export interface UpstreamErrorOptions {
  kind: UpstreamKind;
  host: string;
  operation: string;
  /** `owner/repo`, a remote URL or an image repository. */
  repository?: string;
  /** The HTTP status the host answered; absent when it did not answer. */
  status?: number;
  /** Why there is no status; absent when the host answered. */
  noResponse?: UpstreamNoResponse;
  /** Our reading of the failure, never the host's body. */
  detail?: string;
  /** When the host is expected back (a rate limit's reset, the next probe of an open circuit). */
  until?: Date;
  cause?: Error | unknown;
}

const LABELS: Record<UpstreamKind, string> = {
  git: 'Git host',
  registry: 'Registry',
};

/**
 * A git host or a registry failed, did not answer, or is not asked at the
 * moment (rate limited, circuit open): not the caller's fault, so the
 * Backstage error middleware answers 502. The message names host, operation
 * and repository, says "HTTP <status>" when the host answered and "no
 * response (<why>)" when it did not, and never holds a credential or the
 * host's own error body.
 *
 * @public
 */
export class UpstreamError extends CustomErrorBase {
  name = 'UpstreamError' as const;
  readonly statusCode = 502;
  readonly kind: UpstreamKind;
  readonly host: string;
  readonly operation: string;
  readonly repository?: string;
  readonly status?: number;
  readonly noResponse?: UpstreamNoResponse;
  readonly until?: Date;
  readonly detail?: string;

  constructor(options: UpstreamErrorOptions) {
    // The cause stays on the error for logs, out of the message: the
    // message reaches API error bodies, which carry no upstream internals.
    super(describeUpstreamFailure(options));
    if (options.cause !== undefined) {
      Object.defineProperty(this, 'cause', {
        value: options.cause,
        enumerable: false,
      });
    }
    this.kind = options.kind;
    this.host = options.host;
    this.operation = options.operation;
    this.repository = options.repository;
    this.status = options.status;
    this.noResponse = options.noResponse;
    this.until = options.until;
    this.detail = options.detail;
  }

  /** The same failure, told for another operation or repository. */
  withContext(context: {
    operation?: string;
    repository?: string;
  }): UpstreamError {
    return new UpstreamError({
      kind: this.kind,
      host: this.host,
      operation: context.operation ?? this.operation,
      repository: context.repository ?? this.repository,
      status: this.status,
      noResponse: this.noResponse,
      detail: this.detail,
      until: this.until,
      cause: this.cause,
    });
  }

  /** Whether the host is rate limiting us (answered so, or we hold back until its reset). */
  get rateLimited(): boolean {
    return (
      this.noResponse === 'rate limited' ||
      ((this.status === 403 || this.status === 429) && this.until !== undefined)
    );
  }

  /**
   * Whether the host could not be read at all (no response, 5xx, 429, rate
   * limited, circuit open), as opposed to a definite refusal (401, a 403
   * without a rate limit): the cases a last known good value may stand in for.
   */
  get unavailable(): boolean {
    return (
      this.noResponse !== undefined ||
      this.rateLimited ||
      (this.status !== undefined && (this.status >= 500 || this.status === 429))
    );
  }
}

function describeUpstreamFailure(options: UpstreamErrorOptions): string {
  const where = options.repository ? ` for ${options.repository}` : '';
  let what: string;
  if (options.noResponse === 'rate limited') {
    what = `rate limited${
      options.until ? ` until ${options.until.toISOString()}` : ''
    }, request not sent`;
  } else if (options.noResponse === 'circuit open') {
    what = `not answering, request not sent${
      options.until ? `; next attempt after ${options.until.toISOString()}` : ''
    }`;
  } else if (options.noResponse) {
    what = `no response (${options.noResponse})`;
  } else if (options.status) {
    what = `HTTP ${options.status}`;
  } else {
    what = 'failed';
  }
  const detail = options.detail ? `, ${options.detail}` : '';
  return `${LABELS[options.kind]} ${options.host} failed to ${
    options.operation
  }${where}: ${what}${detail}`;
}

/**
 * The one answer to an address that config does not name, for git hosts and
 * registries alike: the annotation asks for a host Stageflow may not contact,
 * which the entity's author can fix, so it is an InputError (400) naming the
 * host and the config key that would allow it.
 *
 * @public
 */
export function unconfiguredHostError(
  kind: UpstreamKind,
  host: string,
  configKey: string,
): InputError {
  return new InputError(
    `${LABELS[kind]} ${host} is not configured in ${configKey}; Stageflow contacts configured hosts only`,
  );
}
