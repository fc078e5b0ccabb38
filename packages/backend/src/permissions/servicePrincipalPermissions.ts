import {
  AuthService,
  PermissionsService,
  PermissionsServiceRequestOptions,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
  PolicyDecision,
  QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import { ServerPermissionClient } from '@backstage/plugin-permission-node';
import {
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';

/**
 * The permissions only a grant by name gives a service principal: what
 * changes git and the registry.
 */
export const GRANT_ONLY_PERMISSIONS: ReadonlySet<string> = new Set(
  [
    stageflowReleaseCreatePermission,
    stageflowHotfixCreatePermission,
    stageflowImagePromotePermission,
  ].map(permission => permission.name),
);

/**
 * The Stageflow plugin's own principal runs a promotion to a protected stage
 * once its approvals reached the quorum: the requester's and the approvers'
 * permissions were checked when they asked and decided, so the run itself
 * needs no grant. No token outside the backend carries this subject.
 */
const OWN_RUNS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['plugin:stageflow', new Set([stageflowImagePromotePermission.name])],
]);

/**
 * Backstage answers every permission request of a service principal
 * (a plugin, a static or external access token) without the policy: allowed
 * unless the token's `accessRestrictions` say otherwise. For Stageflow's
 * writes that is too much: a CI token that may list tasks could tag a
 * release of any component. This client refuses those permissions to a
 * service principal unless its access restrictions name them, and passes
 * everything else to the platform's client unchanged.
 */
export class ServicePrincipalGrants implements PermissionsService {
  constructor(
    private readonly inner: PermissionsService,
    private readonly auth: AuthService,
  ) {}

  private refused(
    name: string,
    options: PermissionsServiceRequestOptions | undefined,
  ): boolean {
    const credentials =
      options && 'credentials' in options ? options.credentials : undefined;
    if (
      !credentials ||
      !this.auth.isPrincipal(credentials, 'service') ||
      !GRANT_ONLY_PERMISSIONS.has(name)
    ) {
      return false;
    }
    if (OWN_RUNS.get(credentials.principal.subject)?.has(name)) {
      return false;
    }
    const granted =
      credentials.principal.accessRestrictions?.permissionNames ?? [];
    return !granted.includes(name);
  }

  async authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    const answers = await this.inner.authorize(requests, options);
    return answers.map((answer, i) =>
      this.refused(requests[i].permission.name, options)
        ? { result: AuthorizeResult.DENY }
        : answer,
    );
  }

  async authorizeConditional(
    queries: QueryPermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<PolicyDecision[]> {
    const answers = await this.inner.authorizeConditional(queries, options);
    return answers.map((answer, i) =>
      this.refused(queries[i].permission.name, options)
        ? { result: AuthorizeResult.DENY }
        : answer,
    );
  }
}

/**
 * The platform's permissions service with {@link ServicePrincipalGrants}.
 */
export const servicePrincipalGrantsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {
    auth: coreServices.auth,
    config: coreServices.rootConfig,
    discovery: coreServices.discovery,
  },
  async factory({ auth, config, discovery }) {
    return new ServicePrincipalGrants(
      ServerPermissionClient.fromConfig(config, { auth, discovery }),
      auth,
    );
  },
});
