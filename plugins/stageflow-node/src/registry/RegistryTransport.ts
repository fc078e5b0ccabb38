import { errorFromStatus, registryUpstreamError } from './errors';
import { noResponseReason } from '../resilience/noResponseReason';
import { UpstreamError } from '../resilience/UpstreamError';
import { discard, UpstreamPolicy } from '../resilience/UpstreamPolicy';

/** @public */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A bearer token sent as is, without the token exchange. */
  token?: string;
}

export interface TransportOptions {
  host: string;
  baseUrl: string;
  credentials?: RegistryCredentials;
  /** Timeouts, retries, rate limits and circuit breaker of the host. */
  policy: UpstreamPolicy;
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
 * (anonymous, basic, bearer token per scope), through the host's
 * {@link UpstreamPolicy} (timeouts, retries, rate limits, circuit breaker).
 */
export class RegistryTransport {
  readonly host: string;
  private readonly baseUrl: string;
  private readonly credentials: RegistryCredentials;
  private readonly policy: UpstreamPolicy;
  private challenge?: Challenge;
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(options: TransportOptions) {
    this.host = options.host;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials ?? {};
    this.policy = options.policy;
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
    const attempt = async () =>
      this.policy.fetch(
        this.resolveUrl(spec.url),
        {
          method: spec.method,
          headers: {
            ...spec.headers,
            ...(await this.authorization(spec.scopes, ctx)),
          },
          body: spec.body,
          redirect: 'follow',
          ...(spec.body instanceof ReadableStream && { duplex: 'half' }),
        } as RequestInit,
        { ...ctx, idempotent: replayable, timeoutMs: spec.timeoutMs },
      );
    let res = await attempt();
    if (res.status === 401 && replayable && !this.credentials.token) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      discard(res);
      if (!challenge) {
        throw errorFromStatus({ ...ctx, status: 401 }, []);
      }
      this.challenge = challenge;
      this.tokens.delete(this.scopeKey(spec.scopes));
      res = await attempt();
    }
    if (res.ok || spec.accept?.includes(res.status)) {
      return res;
    }
    throw errorFromStatus(
      { ...ctx, status: res.status },
      await errorCodes(res),
    );
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
    // The token service may live on another host: it gets a plain timeout,
    // and its failures are told apart the same way.
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new UpstreamError({
        kind: 'registry',
        ...tokenCtx,
        noResponse: noResponseReason(e),
        detail: `token service ${url.host}`,
      });
    }
    if (!res.ok) {
      discard(res);
      throw registryUpstreamError(
        { ...tokenCtx, status: res.status },
        res.status === 401 || res.status === 403
          ? `the token service refused the credentials configured for ${ctx.host} in stageflow.registries`
          : 'token service failed',
      );
    }
    const body = (await res.json()) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const value = body.token ?? body.access_token;
    if (!value) {
      throw registryUpstreamError(
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

export { discard };
