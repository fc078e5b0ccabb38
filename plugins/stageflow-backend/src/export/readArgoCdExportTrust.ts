import { Config } from '@backstage/config';
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
    ...(config.getOptionalConfigArray('stageflow.git.hosts') ?? []),
    ...(config.getOptionalConfigArray('integrations.github') ?? []),
  ].map(host => host.getString('host').toLocaleLowerCase('en-US'));
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
