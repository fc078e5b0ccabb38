import { Entity } from '@backstage/catalog-model';
import {
  CompareResponse,
  HistoryResponse,
  HotfixesResponse,
  OverviewItem,
  ReleasesResponse,
  StagesResponse,
  UnreleasedResponse,
} from '@stageflow/plugin-stageflow-common';

export const phippy: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'phippy',
    namespace: 'default',
    annotations: {
      'stageflow.io/image': 'registry.acme.test/acme/phippy',
      'stageflow.io/flow': 'oneflow',
      'github.com/project-slug': 'acme/phippy',
    },
  },
  spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
};

export const stages: StagesResponse = {
  entityRef: 'component:default/phippy',
  flow: 'oneflow',
  stages: [
    {
      name: 'staging',
      image: 'registry.acme.test/acme/phippy/develop:latest',
      digest:
        'sha256:1111111111111111111111111111111111111111111111111111111111111111',
      revision: 'abcdef1234567890abcdef1234567890abcdef12',
      createdAt: '2026-11-20T10:00:00Z',
      status: 'drift',
      message: 'staging runs a commit that is not a release',
    },
    {
      name: 'prod',
      image: 'registry.acme.test/acme/phippy/stable:latest',
      digest:
        'sha256:2222222222222222222222222222222222222222222222222222222222222222',
      revision: '0123456789abcdef0123456789abcdef01234567',
      version: '1.2.0',
      tag: 'v1.2.0',
      createdAt: '2026-11-01T10:00:00Z',
      status: 'ok',
      behind: { stage: 'staging', commits: 4, releases: 1 },
    },
  ],
};

export const releases: ReleasesResponse = {
  releases: [
    {
      tag: 'v1.2.0',
      version: '1.2.0',
      sha: '0123456789abcdef0123456789abcdef01234567',
      date: '2026-11-01T09:00:00Z',
      prerelease: false,
      notes:
        '## Features\n\n- dark mode\n\n## Bug fixes\n\n- header overlaps menu',
    },
    {
      tag: 'v1.1.0',
      version: '1.1.0',
      sha: 'fedcba9876543210fedcba9876543210fedcba98',
      date: '2026-10-01T09:00:00Z',
      prerelease: false,
    },
  ],
};

export const history: HistoryResponse = {
  transitions: [
    {
      stage: 'prod',
      observedAt: '2026-10-01T10:00:00Z',
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      status: 'ok',
    },
    {
      stage: 'prod',
      observedAt: '2026-11-01T10:00:00Z',
      fromVersion: '1.1.0',
      toVersion: '1.2.0',
      status: 'ok',
    },
    {
      stage: 'staging',
      observedAt: '2026-11-20T10:00:00Z',
      toDigest:
        'sha256:1111111111111111111111111111111111111111111111111111111111111111',
      revision: 'abcdef1234567890abcdef1234567890abcdef12',
      status: 'drift',
    },
  ],
  dora: {
    stage: 'prod',
    windowDays: 30,
    deployments: 6,
    deploymentsPerWeek: 1.4,
    leadTimeHours: 30,
    hotfixShare: 0.25,
  },
};

const feat = {
  sha: 'aaaaaaa111',
  subject: 'feat: dark mode',
  type: 'feat',
  breaking: false,
};
const fix = {
  sha: 'bbbbbbb222',
  subject: 'fix: header overlaps menu',
  type: 'fix',
  breaking: false,
};
const chore = {
  sha: 'ccccccc333',
  subject: 'update readme',
  type: 'other',
  breaking: false,
};

export const compare: CompareResponse = {
  from: { ref: 'prod', sha: '0123456', version: '1.2.0' },
  to: { ref: 'staging', sha: 'abcdef1' },
  aheadBy: 3,
  behindBy: 0,
  commits: [feat, fix, chore],
  groups: { fix: [fix], other: [chore], feat: [feat] },
  bump: 'minor',
  nextVersion: '1.3.0',
};

export function overviewItems(count: number): OverviewItem[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, '0');
    return {
      entityRef: `component:default/app-${n}`,
      owner: i % 2 ? 'group:default/team-b' : 'group:default/team-a',
      system: i % 3 ? 'system:default/azure-devops' : 'system:default/shop',
      flow: i % 5 ? 'oneflow' : 'gitflow',
      stages: [
        { name: 'staging', image: 'x', version: `1.${i}.0`, status: 'ok' },
        {
          name: 'prod',
          image: 'x',
          version: `1.${i}.0`,
          status: i % 7 ? 'ok' : 'drift',
        },
      ],
    };
  });
}

export const unreleased: UnreleasedResponse = {
  branch: 'develop',
  latestRelease: releases.releases[0],
  commits: [feat, fix, chore],
  bump: 'minor',
  nextVersion: '1.3.0',
};

export const hotfixes: HotfixesResponse = {
  open: [
    {
      branch: 'hotfix/menu',
      sha: '9999999999999999999999999999999999999999',
      fromTag: 'v1.2.0',
    },
  ],
  candidates: [
    fix,
    {
      sha: 'ddddddd444',
      subject: 'perf: cache the menu',
      type: 'perf',
      breaking: false,
      author: 'Ada',
    },
  ],
};
