import { NotAllowedError } from '@backstage/errors';
import { errorFromStatus, RegistryUpstreamError } from './errors';

/** @public */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A bearer token sent as is, without the token exchange. */
  token?: string;
}

/** @public */
export interface RegistryRetryOptions {
  /** Attempts per request, the first included (default 3). */
  maxAttempts?: number;
  /** Waits between attempts; injectable so that tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Delay before attempt `attempt + 1` when the registry gave no Retry-After. */
  backoffMs?: (attempt: number) => number;
}

export interface TransportOptions {
  host: string;
  baseUrl: string;
  credentials?: RegistryCredentials;
  timeoutMs: number;
  retry?: RegistryRetryOptions;
}

export interface RequestSpec {
  operation: string;
  repository?: string;
  /** Token scopes the request needs, e.g. `repository:a/b:pull`. */
  scopes: string[];
  method: string;
  /** A path under the base URL, or an absolute upload location. */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Statuses handed back to the caller instead of thrown. */
  accept?: number[];
  /** Overrides the transport's timeout, for blob bodies that take long to stream. */
  timeoutMs?: number;
}

type Challenge =
  | { scheme: 'basic' }
  | { scheme: 'bearer'; realm: string; service?: string };

interface CachedToken {
  token: string;
  expiresAt: number;
}

const MAX_RETRY_AFTER_MS = 30_000;

function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) {
    return undefined;
  }
  const [scheme] = header.trim().split(/\s+/, 1);
  if (scheme.toLowerCase() === 'basic') {
    return { scheme: 'basic' };
  }
  if (scheme.toLowerCase() !== 'bearer') {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) {
    params[m[1].toLowerCase()] = m[2];
  }
  if (!params.realm) {
    return undefined;
  }
  return { scheme: 'bearer', realm: params.realm, service: params.service };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  const ms = Number.isFinite(seconds)
    ? seconds * 1000
    : Date.parse(value) - Date.now();
  return Number.isFinite(ms)
    ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
    : undefined;
}

async function errorCodes(res: Response): Promise<string[]> {
  try {
    const body = await res.json();
    return Array.isArray(body?.errors)
      ? body.errors.map((e: { code?: string }) => String(e.code)).slice(0, 5)
      : [];
  } catch {
    return [];
  }
}

/**
 * HTTP to one registry host: the auth handshake of the distribution spec
 * (anonymous, basic, bearer token per scope), timeouts and bounded retries.
 */
export class RegistryTransport {
  readonly host: string;
  private readonly baseUrl: string;
  private readonly credentials: RegistryCredentials;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backoffMs: (attempt: number) => number;
  private challenge?: Challenge;
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(options: TransportOptions) {
    this.host = options.host;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials ?? {};
    this.timeoutMs = options.timeoutMs;
    this.maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 3);
    this.sleep =
      options.retry?.sleep ?? (ms => new Promise(r => setTimeout(r, ms)));
    this.backoffMs = options.retry?.backoffMs ?? (a => 250 * 2 ** (a - 1));
  }

  resolveUrl(url: string): string {
    return new URL(url, `${this.baseUrl}/`).toString();
  }

  async send(spec: RequestSpec): Promise<Response> {
    const ctx = {
      host: this.host,
      operation: spec.operation,
      repository: spec.repository,
    };
    // A stream can be sent once only, so such a request is never retried.
    const replayable = !(spec.body instanceof ReadableStream);
    const timeoutMs = spec.timeoutMs ?? this.timeoutMs;
    let authRetried = false;
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.authorization(spec.scopes, ctx);
      let res: Response;
      try {
        res = await fetch(this.resolveUrl(spec.url), {
          method: spec.method,
          headers: { ...spec.headers, ...authorization },
          body: spec.body,
          redirect: 'follow',
          signal: AbortSignal.timeout(timeoutMs),
          ...(spec.body instanceof ReadableStream && { duplex: 'half' }),
        } as RequestInit);
      } catch (e) {
        const name = (e as Error)?.name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw new RegistryUpstreamError(
            ctx,
            `no answer within ${timeoutMs} ms`,
          );
        }
        if (replayable && attempt < this.maxAttempts) {
          await this.sleep(this.backoffMs(attempt));
          continue;
        }
        throw new RegistryUpstreamError(
          ctx,
          `request failed: ${(e as Error)?.message}`,
        );
      }

      if (
        res.status === 401 &&
        !authRetried &&
        replayable &&
        !this.credentials.token
      ) {
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        discard(res);
        if (challenge) {
          authRetried = true;
          this.challenge = challenge;
          this.tokens.delete(this.scopeKey(spec.scopes));
          attempt--;
          continue;
        }
        throw errorFromStatus({ ...ctx, status: 401 }, []);
      }
      if (
        (res.status === 429 || res.status >= 500) &&
        replayable &&
        attempt < this.maxAttempts
      ) {
        const delay =
          parseRetryAfter(res.headers.get('retry-after')) ??
          this.backoffMs(attempt);
        discard(res);
        await this.sleep(delay);
        continue;
      }
      if (res.ok || spec.accept?.includes(res.status)) {
        return res;
      }
      const codes = await errorCodes(res);
      const error = errorFromStatus({ ...ctx, status: res.status }, codes);
      if (res.status === 429 || res.status >= 500) {
        throw new RegistryUpstreamError(
          { ...ctx, status: res.status },
          `gave up after ${attempt} attempt(s)${
            codes.length ? `: ${codes.join(', ')}` : ''
          }`,
        );
      }
      throw error;
    }
  }

  private scopeKey(scopes: string[]): string {
    return [...scopes].sort().join(' ');
  }

  private async authorization(
    scopes: string[],
    ctx: { host: string; operation: string; repository?: string },
  ): Promise<Record<string, string>> {
    const { username, password, token } = this.credentials;
    if (token) {
      return { authorization: `Bearer ${token}` };
    }
    if (!this.challenge) {
      return {};
    }
    if (this.challenge.scheme === 'basic') {
      if (username === undefined) {
        return {};
      }
      const basic = Buffer.from(`${username}:${password ?? ''}`).toString(
        'base64',
      );
      return { authorization: `Basic ${basic}` };
    }
    const key = this.scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached) {
      const value = await cached.catch(() => undefined);
      if (value && value.expiresAt > Date.now()) {
        return { authorization: `Bearer ${value.token}` };
      }
    }
    const pending = this.fetchToken(this.challenge, scopes, ctx);
    this.tokens.set(key, pending);
    try {
      return { authorization: `Bearer ${(await pending).token}` };
    } catch (e) {
      this.tokens.delete(key);
      throw e;
    }
  }

  private async fetchToken(
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scopes: string[],
    ctx: { host: string; operation: string; repository?: string },
  ): Promise<CachedToken> {
    const url = new URL(challenge.realm);
    if (challenge.service) {
      url.searchParams.set('service', challenge.service);
    }
    for (const scope of scopes) {
      url.searchParams.append('scope', scope);
    }
    const { username, password } = this.credentials;
    const headers: Record<string, string> = {};
    if (username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(
        `${username}:${password ?? ''}`,
      ).toString('base64')}`;
    }
    const tokenCtx = {
      ...ctx,
      operation: `token request for ${ctx.operation}`,
    };
    let res: Response;
    try {
      res = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new RegistryUpstreamError(
        tokenCtx,
        `token service unreachable: ${(e as Error)?.name}`,
      );
    }
    if (res.status === 401 || res.status === 403) {
      discard(res);
      throw new NotAllowedError(
        `Token service of ${ctx.host} refused the credentials configured in stageflow.registries (HTTP ${res.status})`,
      );
    }
    if (!res.ok) {
      discard(res);
      throw new RegistryUpstreamError(
        { ...tokenCtx, status: res.status },
        'token service failed',
      );
    }
    const body = (await res.json()) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const value = body.token ?? body.access_token;
    if (!value) {
      throw new RegistryUpstreamError(
        tokenCtx,
        'token service answered without a token',
      );
    }
    // The spec's default lifetime is 60 s; renew a little early to avoid
    // sending a token that expires in flight.
    const lifetimeMs = (body.expires_in ?? 60) * 1000;
    return {
      token: value,
      expiresAt: Date.now() + lifetimeMs - Math.min(10_000, lifetimeMs / 4),
    };
  }
}

/**
 * Releases the connection of a response whose body is not needed. Not awaited:
 * cancelling some bodies settles only when the peer closes.
 */
export function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}
