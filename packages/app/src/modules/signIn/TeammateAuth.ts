import {
  BackstageIdentityApi,
  BackstageIdentityResponse,
  DiscoveryApi,
  ProfileInfo,
  ProfileInfoApi,
  SessionApi,
  SessionState,
  createApiRef,
} from '@backstage/frontend-plugin-api';

type SessionStateObservable = ReturnType<SessionApi['sessionState$']>;
type Observer = {
  next?(value: SessionState): void;
  error?(error: Error): void;
  complete?(): void;
};

/** What the auth backend's `/refresh` of a proxy provider answers. */
type RefreshResponse = {
  profile?: ProfileInfo;
  backstageIdentity: {
    token: string;
    expiresInSeconds?: number;
    identity: BackstageIdentityResponse['identity'];
  };
};

type Session = {
  profile: ProfileInfo;
  identity: BackstageIdentityResponse;
};

/** Tokens are fetched again this long before they expire. */
const EXPIRY_MARGIN_MS = 60_000;
/** The lifetime assumed of a token that names no expiry. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

function expiryOf(body: RefreshResponse): Date {
  const { expiresInSeconds, token } = body.backstageIdentity;
  if (typeof expiresInSeconds === 'number') {
    return new Date(Date.now() + expiresInSeconds * 1000);
  }
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload));
    if (typeof exp === 'number') {
      return new Date(exp * 1000);
    }
  } catch {
    // Not a JWT: the default lifetime applies.
  }
  return new Date(Date.now() + DEFAULT_LIFETIME_MS);
}

/** A minimal multicast observable of the session state, current value first. */
class SessionStateSubject {
  private readonly observers = new Set<Observer>();
  constructor(private state: SessionState) {}

  next(state: SessionState) {
    if (state === this.state) {
      return;
    }
    this.state = state;
    for (const observer of this.observers) {
      observer.next?.(state);
    }
  }

  observable(): SessionStateObservable {
    const subscribe = (
      observerOrNext?: Observer | ((value: SessionState) => void),
      onError?: (error: Error) => void,
      onComplete?: () => void,
    ) => {
      const observer: Observer =
        typeof observerOrNext === 'function' || !observerOrNext
          ? { next: observerOrNext, error: onError, complete: onComplete }
          : observerOrNext;
      this.observers.add(observer);
      observer.next?.(this.state);
      let closed = false;
      return {
        get closed() {
          return closed;
        },
        unsubscribe: () => {
          closed = true;
          this.observers.delete(observer);
        },
      };
    };
    const observable = {
      [Symbol.observable]: () => observable,
      subscribe,
    } as SessionStateObservable;
    return observable;
  }
}

/** The API of the demo's second sign-in, the backend's `teammate` provider. */
export type TeammateAuthApi = ProfileInfoApi &
  BackstageIdentityApi &
  SessionApi;

export const teammateAuthApiRef = createApiRef<TeammateAuthApi>().with({
  id: 'app.auth.teammate',
  pluginId: 'app',
});

/**
 * Signs in through a proxy auth provider of the backend (`teammate` in the
 * demo), which needs no credentials: `GET /api/auth/<provider>/refresh`
 * answers the Backstage token of the user it is configured for. The token
 * is kept until shortly before it expires; sign-out forgets it.
 */
export class TeammateAuth implements TeammateAuthApi {
  private session?: { value: Session; expiresAt: Date };
  private pending?: Promise<Session>;
  /** Bumped by signOut, so that a fetch under way is not kept. */
  private generation = 0;
  private readonly state = new SessionStateSubject(SessionState.SignedOut);

  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      provider?: string;
      fetch?: typeof fetch;
    },
  ) {}

  async getBackstageIdentity(options?: {
    optional?: boolean;
  }): Promise<BackstageIdentityResponse | undefined> {
    try {
      return (await this.getSession()).identity;
    } catch (error) {
      if (options?.optional) {
        return undefined;
      }
      throw error;
    }
  }

  async getProfile(options?: {
    optional?: boolean;
  }): Promise<ProfileInfo | undefined> {
    try {
      return (await this.getSession()).profile;
    } catch (error) {
      if (options?.optional) {
        return undefined;
      }
      throw error;
    }
  }

  async signIn(): Promise<void> {
    await this.getSession();
  }

  async signOut(): Promise<void> {
    this.generation += 1;
    this.session = undefined;
    this.pending = undefined;
    this.state.next(SessionState.SignedOut);
  }

  sessionState$(): SessionStateObservable {
    return this.state.observable();
  }

  private async getSession(): Promise<Session> {
    if (
      this.session &&
      Date.now() < this.session.expiresAt.getTime() - EXPIRY_MARGIN_MS
    ) {
      return this.session.value;
    }
    if (!this.pending) {
      const generation = this.generation;
      this.pending = this.fetchSession().then(
        ({ value, expiresAt }) => {
          if (generation === this.generation) {
            this.session = { value, expiresAt };
            this.pending = undefined;
            this.state.next(SessionState.SignedIn);
          }
          return value;
        },
        error => {
          if (generation === this.generation) {
            this.pending = undefined;
          }
          throw error;
        },
      );
    }
    return this.pending;
  }

  private async fetchSession(): Promise<{ value: Session; expiresAt: Date }> {
    const provider = this.options.provider ?? 'teammate';
    const baseUrl = await this.options.discoveryApi.getBaseUrl('auth');
    const fetchFn = this.options.fetch ?? fetch;
    const res = await fetchFn(`${baseUrl}/${provider}/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
      credentials: 'include',
    });
    if (!res.ok) {
      let reason = res.statusText;
      try {
        reason = (await res.json()).error?.message ?? reason;
      } catch {
        // Not a Backstage error body: the status text says it.
      }
      throw new Error(
        `Sign-in with the ${provider} provider failed (${res.status}): ${reason}`,
      );
    }
    const body = (await res.json()) as RefreshResponse;
    const { token, identity } = body.backstageIdentity;
    const expiresAt = expiryOf(body);
    return {
      value: {
        profile: body.profile ?? {},
        identity: { token, identity, expiresAt },
      },
      expiresAt,
    };
  }
}
