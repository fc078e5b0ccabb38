import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { stageflowContributionWritePermission } from '@stageflow/plugin-stageflow-common';
import { ContributorConfig } from './readContributorsConfig';

/**
 * Decides who may write a contributor's set: the writers its config names
 * (users, members of groups, service principals by subject), and then the
 * permission policy (`stageflow.contribution.write` on the contributor), which
 * may refuse more. An unconfigured contributor has no writer.
 *
 * @public
 */
export class ContributorAccess {
  constructor(
    private readonly options: {
      contributors: ReadonlyMap<string, ContributorConfig>;
      auth: AuthService;
      userInfo: UserInfoService;
      permissions: PermissionsService;
    },
  ) {}

  /**
   * The contributor's config when the caller may write its set; else a
   * `NotAllowedError` saying why.
   */
  async authorizeWrite(
    contributor: string,
    credentials: BackstageCredentials,
  ): Promise<ContributorConfig> {
    const { contributors, permissions } = this.options;
    const config = contributors.get(contributor);
    if (!config) {
      throw new NotAllowedError(
        `Contributor ${contributor} is not configured (stageflow.contributors.${contributor}): nobody may write its set`,
      );
    }
    const caller = await this.writerName(config, credentials);
    if (!caller.writer) {
      throw new NotAllowedError(
        `You (${caller.name}) may not write the set of contributor ${contributor}: stageflow.contributors.${contributor}.writers names neither you nor a group of yours`,
      );
    }
    const [decision] = await permissions.authorize(
      [
        {
          permission: stageflowContributionWritePermission,
          resourceRef: contributor,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You (${caller.name}) may not write the set of contributor ${contributor}: permission ${stageflowContributionWritePermission.name} is denied`,
      );
    }
    return config;
  }

  private async writerName(
    config: ContributorConfig,
    credentials: BackstageCredentials,
  ): Promise<{ name: string; writer: boolean }> {
    const { auth, userInfo } = this.options;
    if (auth.isPrincipal(credentials, 'service')) {
      const subject = credentials.principal.subject;
      return {
        name: subject,
        writer: config.writers.services.includes(subject),
      };
    }
    if (auth.isPrincipal(credentials, 'user')) {
      const ref = credentials.principal.userEntityRef;
      if (config.writers.users.includes(ref)) {
        return { name: ref, writer: true };
      }
      if (config.writers.groups.length === 0) {
        return { name: ref, writer: false };
      }
      const { ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
      return {
        name: ref,
        writer: ownershipEntityRefs.some(group =>
          config.writers.groups.includes(group),
        ),
      };
    }
    return { name: 'an unknown principal', writer: false };
  }
}
