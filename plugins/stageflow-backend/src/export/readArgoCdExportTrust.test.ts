import { ConfigReader } from '@backstage/config';
import { readContributorsConfig } from '../contributions';
import { readArgoCdExportTrust } from './readArgoCdExportTrust';

describe('readArgoCdExportTrust', () => {
  it('trusts the configured git hosts, cluster contributors and identity sources', () => {
    const config = new ConfigReader({
      integrations: { github: [{ host: 'GitHub.com' }] },
      stageflow: {
        git: { hosts: [{ host: 'git.acme.example' }] },
        contributors: {
          devops: {},
          rancher: { annotations: ['cluster'] },
          ldap: { kinds: ['User', 'Group'] },
        },
      },
    });
    expect(
      readArgoCdExportTrust(config, readContributorsConfig(config)),
    ).toEqual({
      gitHosts: ['git.acme.example', 'github.com'],
      clusterContributors: ['rancher'],
      identityContributors: ['ldap'],
    });
  });
});
