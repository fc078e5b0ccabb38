import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  IPolicy,
  IRetryBackoffContext,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { UpstreamError, UpstreamKind } from './UpstreamError';
import type { ResilienceOptions } from './readResilienceConfig';
import { noResponseReason } from './noResponseReason';

/** What one call through an {@link UpstreamPolicy} is about. @public */
export interface UpstreamRequest {
  /** For messages, e.g. `list tags`. */
  operation: string;
  repository?: string;
  /**
   * Whether sending it twice is harmless (reads, PUT of the same bytes).
   * Only such requests are retried; writes fail fast.
   */
  idempotent: boolean;
  /** Overrides the policy's timeout, e.g. for a blob body that takes long to stream. */
  timeoutMs?: number;
}

/** Options of {@link UpstreamPolicy}. @public */
export interface UpstreamPolicyOptions {
  kind: UpstreamKind;
  host: string;
  options: ResilienceOptions;
  logger?: LoggerService;
  /** The clock of rate-limit resets; tests move it. */
  now?: () => number;
  fetch?: typeof fetch;
}

const SECONDARY_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * The resilience of one upstream host, shared by every request to it:
 * a timeout per attempt, retries of idempotent requests with exponential
 * back-off that wait as `Retry-After` / `x-ratelimit-reset` say, a rate-limit
 * gate that sends nothing to the host until a known reset, and a circuit
 * breaker that opens after consecutive failures (no response, 5xx) and lets
 * one probe through after a while.
 *
 * `fetch` hands back every response the host gave, except 5xx, 429 and
 * rate-limit 403s, which it turns into an {@link UpstreamError} once the
 * retries are spent; a request that got no response is an UpstreamError
 * saying why.
 *
 * @public
 */
export class UpstreamPolicy {
  readonly kind: UpstreamKind;
  readonly host: string;
  readonly #options: ResilienceOptions;
  readonly #logger?: LoggerService;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #policies = new Map<string, IPolicy>();
  #limitedUntil = 0;
  #nextProbeAt = 0;
  #lastFailure = '';

  constructor(options: UpstreamPolicyOptions) {
    this.kind = options.kind;
    this.host = options.host;
    this.#options = options.options;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
    this.#breaker = circuitBreaker(
      handleWhen(error => error instanceof UpstreamError && isHostFault(error)),
      {
        halfOpenAfter: this.#options.breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(
          this.#options.breaker.consecutiveFailures,
        ),
      },
    );
    this.#breaker.onBreak(reason => {
      const error = 'error' in reason ? reason.error : undefined;
      if (error instanceof UpstreamError) {
        this.#lastFailure = error.status
          ? `HTTP ${error.status}`
          : `no response (${error.noResponse})`;
      }
      this.#nextProbeAt = this.#now() + this.#options.breaker.halfOpenAfterMs;
      this.#logger?.warn('Upstream circuit opened', {
        host: this.host,
        nextProbeAt: new Date(this.#nextProbeAt).toISOString(),
      });
    });
    this.#breaker.onReset(() =>
      this.#logger?.info('Upstream circuit closed', { host: this.host }),
    );
  }

  /** Until when the host is rate limited, if it is. */
  get limitedUntil(): Date | undefined {
    return this.#limitedUntil > this.#now()
      ? new Date(this.#limitedUntil)
      : undefined;
  }

  /** Whether the circuit is open (requests fail at once). */
  get circuitOpen(): boolean {
    return this.#breaker.state === CircuitState.Open;
  }

  async fetch(
    url: string | URL,
    init: RequestInit,
    request: UpstreamRequest,
  ): Promise<Response> {
    const policy = this.#policy(
      request.idempotent ? this.#options.retries : 0,
      request.timeoutMs ?? this.#options.timeoutMs,
    );
    try {
      // A signal per call: cockatiel hangs its listeners on it, and a
      // shared default would collect them from every pending request.
      return await policy.execute(
        ({ signal }) => this.#attempt(url, init, request, signal),
        init.signal ?? new AbortController().signal,
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw this.#error(request, {
          noResponse: 'circuit open',
          until: new Date(this.#nextProbeAt),
          detail: `after ${
            this.#options.breaker.consecutiveFailures
          } consecutive failures${
            this.#lastFailure ? `, the last ${this.#lastFailure}` : ''
          }`,
        });
      }
      throw error;
    }
  }

  /**
   * The retries, breaker and timeout of a request, composed once per
   * combination (there are a few): a snapshot sends thousands of requests,
   * and composing anew for each was a measurable share of its CPU.
   */
  #policy(retries: number, timeoutMs: number) {
    const key = `${retries}:${timeoutMs}`;
    let policy = this.#policies.get(key);
    if (!policy) {
      policy = wrap(
        retry(
          handleWhen(error => this.#retryable(error)),
          {
            maxAttempts: retries,
            backoff: new DelegateBackoff(
              (context: IRetryBackoffContext<unknown>) =>
                this.#backoff(context),
            ),
          },
        ),
        this.#breaker,
        // The response body is read after this returns: aborting then would
        // cut it off, so the timeout covers the wait for the response head.
        timeout(timeoutMs, {
          strategy: TimeoutStrategy.Cooperative,
          abortOnReturn: false,
        }),
      );
      this.#policies.set(key, policy);
    }
    return policy;
  }

  async #attempt(
    url: string | URL,
    init: RequestInit,
    request: UpstreamRequest,
    timeoutSignal: AbortSignal,
  ): Promise<Response> {
    if (this.#limitedUntil > this.#now()) {
      throw this.#error(request, {
        noResponse: 'rate limited',
        until: new Date(this.#limitedUntil),
      });
    }
    let res: Response;
    try {
      res = await this.#fetch(url, {
        ...init,
        signal: init.signal
          ? AbortSignal.any([init.signal, timeoutSignal])
          : timeoutSignal,
      });
    } catch (error) {
      throw this.#error(request, {
        noResponse: timeoutSignal.aborted
          ? 'timed out'
          : noResponseReason(error),
        detail: timeoutSignal.aborted
          ? `after ${request.timeoutMs ?? this.#options.timeoutMs} ms`
          : undefined,
        cause: error,
      });
    }
    const limitedUntil = await this.#rateLimitedUntil(res);
    if (limitedUntil !== undefined) {
      this.#limitedUntil = Math.max(this.#limitedUntil, limitedUntil);
      this.#logger?.warn('Upstream rate limited', {
        host: this.host,
        status: res.status,
        until: new Date(limitedUntil).toISOString(),
      });
      discard(res);
      throw this.#error(request, {
        status: res.status,
        until: new Date(limitedUntil),
        detail: `rate limited until ${new Date(limitedUntil).toISOString()}`,
      });
    }
    if (res.status >= 500 || res.status === 429) {
      throw this.#error(request, {
        status: res.status,
        cause: await answerOf(init.method ?? 'GET', url, res),
      });
    }
    // The last request of the budget: the next would be refused, so none is
    // sent before the reset.
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (res.headers.get('x-ratelimit-remaining') === '0' && reset > 0) {
      this.#limitedUntil = Math.max(this.#limitedUntil, reset * 1000);
    }
    return res;
  }

  /** When a rate-limit answer says the host takes requests again. */
  async #rateLimitedUntil(res: Response): Promise<number | undefined> {
    if (res.status !== 403 && res.status !== 429) {
      return undefined;
    }
    const retryAfter = parseRetryAfter(
      res.headers.get('retry-after'),
      this.#now(),
    );
    if (retryAfter !== undefined) {
      return retryAfter;
    }
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (res.headers.get('x-ratelimit-remaining') === '0' && reset > 0) {
      return reset * 1000;
    }
    // GitHub's secondary limit without retry-after: "wait at least a minute".
    if (res.status === 403) {
      const body = await res
        .clone()
        .text()
        .catch(() => '');
      if (/secondary rate limit/i.test(body)) {
        return this.#now() + SECONDARY_RATE_LIMIT_WAIT_MS;
      }
    }
    return undefined;
  }

  #retryable(error: Error): boolean {
    if (!(error instanceof UpstreamError)) {
      return false;
    }
    if (error.noResponse === 'rate limited') {
      return false;
    }
    if (error.until) {
      return (
        error.until.getTime() - this.#now() <= this.#options.maxRetryAfterMs
      );
    }
    return isHostFault(error) || error.status === 429;
  }

  #backoff(context: IRetryBackoffContext<unknown>): number {
    const error = 'error' in context.result ? context.result.error : undefined;
    if (error instanceof UpstreamError && error.until) {
      return Math.max(0, error.until.getTime() - this.#now());
    }
    return Math.min(
      this.#options.maxBackoffMs,
      this.#options.backoffMs * 2 ** (context.attempt - 1),
    );
  }

  #error(
    request: UpstreamRequest,
    failure: Pick<
      ConstructorParameters<typeof UpstreamError>[0],
      'status' | 'noResponse' | 'until' | 'detail' | 'cause'
    >,
  ): UpstreamError {
    return new UpstreamError({
      kind: this.kind,
      host: this.host,
      operation: request.operation,
      repository: request.repository,
      ...failure,
    });
  }
}

/** A failure that says the host is in trouble, which the breaker counts. */
function isHostFault(error: UpstreamError): boolean {
  if (
    error.noResponse === 'rate limited' ||
    error.noResponse === 'circuit open'
  ) {
    return false;
  }
  return (
    error.noResponse !== undefined ||
    (error.status !== undefined && error.status >= 500)
  );
}

/** `Retry-After` in seconds or as an HTTP date, as an epoch millisecond. */
function parseRetryAfter(value: string | null, now: number) {
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return now + Math.max(0, seconds) * 1000;
  }
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(date, now) : undefined;
}

/**
 * Releases the connection of a response whose body is not needed. Not
 * awaited: cancelling some bodies settles only when the peer closes.
 */
/**
 * What a failing host answered, as the cause of the UpstreamError: the
 * request line and the start of the body, for the server log (the error
 * boundary redacts it there); it never reaches an API response.
 */
async function answerOf(
  method: string,
  url: string | URL,
  res: Response,
): Promise<Error> {
  let body = '';
  try {
    body = (await res.text()).slice(0, 2_000);
  } catch {
    // The body broke off: the status says enough.
  }
  return new Error(
    `${method} ${String(url)} answered ${res.status} ${res.statusText}${
      body ? `: ${body}` : ''
    }`,
  );
}

export function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}
