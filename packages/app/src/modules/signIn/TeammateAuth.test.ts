import { SessionState } from '@backstage/frontend-plugin-api';
import { TeammateAuth } from './TeammateAuth';

const identity = {
  type: 'user' as const,
  userEntityRef: 'user:default/bjoern.dieding',
  ownershipEntityRefs: ['user:default/bjoern.dieding', 'group:default/team-b'],
};

function refreshResponse(token: string, expiresInSeconds = 3600) {
  return new Response(
    JSON.stringify({
      profile: { displayName: 'Bjoern Dieding' },
      backstageIdentity: { token, expiresInSeconds, identity },
    }),
    { status: 200, headers: { 'Content-Type': 'application/json' } },
  );
}

describe('TeammateAuth', () => {
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://localhost:7007/api/${id}`,
  };

  afterEach(() => jest.useRealTimers());

  it('signs in through the refresh endpoint and keeps the token', async () => {
    const fetch = jest.fn(async () => refreshResponse('token-1'));
    const auth = new TeammateAuth({ discoveryApi, fetch });

    const [first, second] = await Promise.all([
      auth.getBackstageIdentity(),
      auth.getBackstageIdentity(),
    ]);
    expect(first).toMatchObject({ token: 'token-1', identity });
    expect(first!.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(second).toBe(first);
    expect(await auth.getProfile()).toEqual({ displayName: 'Bjoern Dieding' });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(
      'http://localhost:7007/api/auth/teammate/refresh',
      expect.objectContaining({
        credentials: 'include',
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      }),
    );
  });

  it('fetches a new token shortly before the old one expires', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(refreshResponse('token-1', 600))
      .mockResolvedValueOnce(refreshResponse('token-2', 600));
    const auth = new TeammateAuth({ discoveryApi, fetch });

    expect((await auth.getBackstageIdentity())!.token).toBe('token-1');
    jest.setSystemTime(new Date('2026-01-01T00:08:00Z'));
    expect((await auth.getBackstageIdentity())!.token).toBe('token-1');
    jest.setSystemTime(new Date('2026-01-01T00:09:30Z'));
    expect((await auth.getBackstageIdentity())!.token).toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('forgets the token on sign-out and reports the session state', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(refreshResponse('token-1'))
      .mockResolvedValueOnce(refreshResponse('token-2'));
    const auth = new TeammateAuth({ discoveryApi, fetch });
    const states: SessionState[] = [];
    const subscription = auth.sessionState$().subscribe(s => states.push(s));

    await auth.signIn();
    await auth.signOut();
    expect((await auth.getBackstageIdentity())!.token).toBe('token-2');
    subscription.unsubscribe();
    await auth.signOut();

    expect(states).toEqual([
      SessionState.SignedOut,
      SessionState.SignedIn,
      SessionState.SignedOut,
      SessionState.SignedIn,
    ]);
    expect(subscription.closed).toBe(true);
  });

  it('names the refusal of the backend, or answers nothing when optional', async () => {
    const refused = () =>
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message:
              'The teammate provider cannot be used outside of development',
          },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      );
    const fetch = jest.fn(async () => refused());
    const auth = new TeammateAuth({ discoveryApi, fetch });

    await expect(auth.getBackstageIdentity()).rejects.toThrow(
      'Sign-in with the teammate provider failed (403): The teammate provider cannot be used outside of development',
    );
    await expect(
      auth.getBackstageIdentity({ optional: true }),
    ).resolves.toBeUndefined();
    await expect(auth.getProfile({ optional: true })).resolves.toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
