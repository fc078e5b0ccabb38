import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CompareResponse,
  HistoryResponse,
  OverviewItem,
  ReleasesResponse,
  StageStatus,
  StagesResponse,
} from '@stageflow/plugin-stageflow-common';
import { DateTime } from 'luxon';
import {
  StageflowApi,
  StageflowOverviewPage,
  StageflowOverviewQuery,
} from '../src/api';

const now = DateTime.now();
const ago = (days: number) => now.minus({ days }).toISO()!;
const sha = (seed: number) =>
  (seed.toString(16).padStart(8, '0') + 'c0ffee'.repeat(6)).slice(0, 40);
const digest = (seed: number) =>
  `sha256:${seed.toString(16).padStart(8, '0')}${'ab'.repeat(28)}`;

/** Data shaped like the demo's, for working on the UI without a backend. */
export class FakeStageflowApi implements StageflowApi {
  async getStages(entity: CompoundEntityRef): Promise<StagesResponse> {
    return {
      entityRef: `component:${entity.namespace}/${entity.name}`,
      flow: 'oneflow',
      stages: [
        {
          name: 'staging',
          image: 'registry.acme.test/acme/phippy/develop:latest',
          digest: digest(2),
          revision: sha(2),
          createdAt: ago(1),
          status: 'drift',
          message: 'staging runs a commit that is not a release',
        },
        {
          name: 'prod',
          image: 'registry.acme.test/acme/phippy/stable:latest',
          digest: digest(1),
          revision: sha(1),
          version: '1.2.0',
          tag: 'v1.2.0',
          createdAt: ago(12),
          status: 'ok',
          behind: { stage: 'staging', commits: 4, releases: 0 },
        },
      ],
    };
  }

  async getReleases(): Promise<ReleasesResponse> {
    return {
      releases: ['1.2.0', '1.1.1', '1.1.0', '1.0.0'].map((version, i) => ({
        tag: `v${version}`,
        version,
        sha: sha(10 + i),
        date: ago(12 + i * 14),
        prerelease: false,
      })),
    };
  }

  async getHistory(): Promise<HistoryResponse> {
    return {
      transitions: [
        {
          stage: 'prod',
          observedAt: ago(40),
          fromVersion: '1.0.0',
          toVersion: '1.1.0',
          status: 'ok',
        },
        {
          stage: 'prod',
          observedAt: ago(26),
          fromVersion: '1.1.0',
          toVersion: '1.1.1',
          status: 'ok',
        },
        {
          stage: 'prod',
          observedAt: ago(12),
          fromVersion: '1.1.1',
          toVersion: '1.2.0',
          status: 'ok',
        },
        {
          stage: 'staging',
          observedAt: ago(1),
          fromDigest: digest(3),
          toDigest: digest(2),
          revision: sha(2),
          status: 'drift',
        },
      ],
      dora: {
        stage: 'prod',
        windowDays: 30,
        deployments: 2,
        deploymentsPerWeek: 0.5,
        leadTimeHours: 52,
        hotfixShare: 0.5,
      },
    };
  }

  async getCompare(
    _entity: CompoundEntityRef,
    range: { from: string; to: string },
  ): Promise<CompareResponse> {
    const commits = [
      {
        sha: sha(21),
        subject: 'feat: dark mode',
        type: 'feat',
        breaking: false,
      },
      {
        sha: sha(22),
        subject: 'fix: header overlaps the menu',
        type: 'fix',
        breaking: false,
      },
      {
        sha: sha(23),
        subject: 'docs: release notes',
        type: 'docs',
        breaking: false,
      },
      { sha: sha(24), subject: 'tidy up', type: 'other', breaking: false },
    ];
    const groups: CompareResponse['groups'] = {};
    for (const commit of commits) {
      (groups[commit.type] ??= []).push(commit);
    }
    return {
      from: { ref: range.from, sha: sha(1), version: '1.2.0' },
      to: { ref: range.to, sha: sha(2) },
      aheadBy: commits.length,
      behindBy: 0,
      commits,
      groups,
      bump: 'minor',
      nextVersion: '1.3.0',
    };
  }

  async getOverview(
    query: StageflowOverviewQuery = {},
  ): Promise<StageflowOverviewPage> {
    const statuses: StageStatus[] = [
      'ok',
      'ok',
      'ok',
      'drift',
      'ok',
      'missing',
    ];
    const all: OverviewItem[] = Array.from({ length: 1000 }, (_, i) => ({
      entityRef: `component:default/app-${String(i).padStart(4, '0')}`,
      owner: `group:default/team-${'abc'[i % 3]}`,
      system: i % 2 ? 'system:default/azure-devops' : 'system:default/shop',
      flow: i % 4 ? 'oneflow' : 'gitflow',
      stages: [
        { name: 'staging', image: 'x', version: `1.${i % 9}.0`, status: 'ok' },
        {
          name: 'prod',
          image: 'x',
          version: `1.${i % 7}.0`,
          status: statuses[i % statuses.length],
        },
      ],
    }));
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    return {
      items: all.slice(offset, offset + limit),
      totalCount: all.length,
      generatedAt: now.toISO()!,
    };
  }
}
