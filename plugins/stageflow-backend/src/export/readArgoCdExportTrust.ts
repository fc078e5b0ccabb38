import { Config } from '@backstage/config';
import { readStageflowConfig } from '@stageflow/plugin-stageflow-node';
import { ArgoCdExportTrust } from './argocd';

/**
 * What the Argo CD export trusts, from config: the git hosts Stageflow is
 * configured for (`stageflow.git.hosts`, `integrations.github`), the
 * contributors whose cluster Resources may be destinations (their
 * `annotations` list `cluster`) and the identity sources (their `kinds` list
 * `Group`).
 */
export function readArgoCdExportTrust(
  config: Config,
  contributors: ReadonlyMap<
    string,
    { annotations: ReadonlyArray<string>; kinds: ReadonlyArray<string> }
  >,
): ArgoCdExportTrust {
  const hosts = [
    ...readStageflowConfig(config).git.hosts.map(({ host }) => host),
    ...(config.getOptionalConfigArray('integrations.github') ?? []).map(
      integration => integration.getString('host'),
    ),
  ].map(host => host.toLocaleLowerCase('en-US'));
  const named = (
    test: (c: {
      annotations: ReadonlyArray<string>;
      kinds: ReadonlyArray<string>;
    }) => boolean,
  ) =>
    [...contributors.entries()]
      .filter(([, c]) => test(c))
      .map(([name]) => name);
  return {
    gitHosts: [...new Set(hosts)].sort(),
    clusterContributors: named(c => c.annotations.includes('cluster')),
    identityContributors: named(c => c.kinds.includes('Group')),
  };
}
