import { createBackendModule } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthResolverContext,
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';

/** The provider id: the app calls `/api/auth/teammate/refresh`. */
export const TEAMMATE_PROVIDER_ID = 'teammate';

type TeammateResult = { userEntityRef: string };

/**
 * Signs in as the one catalog user named by
 * `auth.providers.teammate.userEntityRef`, with no credentials at all, like
 * the guest provider does for `guest`: the demo's second sign-in, so that a
 * promotion requested as one member of a team can be approved as another.
 *
 * Like the guest provider it refuses outside development (NODE_ENV other
 * than `development`) unless `dangerouslyAllowOutsideDevelopment` is set.
 */
export const teammateAuthenticator = createProxyAuthenticator<
  { disabled: boolean; userEntityRef: string },
  TeammateResult,
  undefined
>({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize({ config }) {
    const allowOutsideDev = config.getOptionalBoolean(
      'dangerouslyAllowOutsideDevelopment',
    );
    return {
      disabled:
        process.env.NODE_ENV !== 'development' && allowOutsideDev !== true,
      userEntityRef: config.getString('userEntityRef'),
    };
  },
  async authenticate(_, { disabled, userEntityRef }) {
    if (disabled) {
      throw new NotAllowedError(
        `The ${TEAMMATE_PROVIDER_ID} provider signs in without credentials and cannot be used outside of a development environment unless 'auth.providers.${TEAMMATE_PROVIDER_ID}.dangerouslyAllowOutsideDevelopment' is enabled`,
      );
    }
    return { result: { userEntityRef } };
  },
});

/** The display name and email of the catalog user, for the app's profile. */
async function profileOfCatalogUser(
  result: TeammateResult,
  ctx: AuthResolverContext,
) {
  try {
    const { entity } = await ctx.findCatalogUser({
      entityRef: result.userEntityRef,
    });
    const profile = (entity.spec?.profile ?? {}) as {
      displayName?: string;
      email?: string;
      picture?: string;
    };
    return {
      profile: {
        displayName: profile.displayName ?? entity.metadata.name,
        email: profile.email,
        picture: profile.picture,
      },
    };
  } catch {
    // The sign-in resolver reports a missing user; the profile stays empty.
    return { profile: {} };
  }
}

/** The `teammate` auth provider of the demo (see the backend README). */
export const authModuleTeammateProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'teammate-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: TEAMMATE_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: teammateAuthenticator,
            profileTransform: profileOfCatalogUser,
            // The user must be in the catalog: its groups are what the
            // approval checks, so there is no fallback token without them.
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: result.userEntityRef }),
          }),
        });
      },
    });
  },
});
