import {
  AuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { CatalogClient } from '@backstage/catalog-client';
import { RELATION_MEMBER_OF } from '@backstage/catalog-model';

/**
 * The mock auth service, except that a token a plugin gets on behalf of a
 * user names that plugin as the actor, as the real one does: the permission
 * backend and the catalog refuse user calls that come without one.
 */
export const authWithActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  async factory({ plugin }) {
    const auth: AuthService = Object.create(
      mockServices.auth({ pluginId: plugin.getId() }),
    );
    const issue = auth.getPluginRequestToken.bind(auth);
    auth.getPluginRequestToken = async options => {
      const principal = options.onBehalfOf.principal as any;
      if (principal.type !== 'user') {
        return issue(options);
      }
      return {
        token: mockCredentials.user.token(principal.userEntityRef, {
          actor: { subject: `plugin:${plugin.getId()}` },
        }),
      };
    };
    return auth;
  },
});

/**
 * What the auth backend's sign-in resolver puts in a user's token: the user
 * and the groups the catalog says it is a member of (none for a user the
 * catalog does not know).
 */
export const userInfoFromCatalog = createServiceFactory({
  service: coreServices.userInfo,
  deps: { discovery: coreServices.discovery, auth: coreServices.auth },
  async factory({ discovery, auth }) {
    const catalog = new CatalogClient({ discoveryApi: discovery });
    return {
      async getUserInfo(credentials) {
        if (!auth.isPrincipal(credentials, 'user')) {
          throw new Error('not a user');
        }
        const userEntityRef = credentials.principal.userEntityRef;
        const user = await catalog.getEntityByRef(
          userEntityRef,
          await auth.getPluginRequestToken({
            onBehalfOf: await auth.getOwnServiceCredentials(),
            targetPluginId: 'catalog',
          }),
        );
        const groups = (user?.relations ?? [])
          .filter(r => r.type === RELATION_MEMBER_OF)
          .map(r => r.targetRef);
        return {
          userEntityRef,
          ownershipEntityRefs: [userEntityRef, ...groups],
        };
      },
    };
  },
});
