import { computeDora } from './dora';

const now = new Date('2026-11-23T12:00:00Z');
const daysAgo = (days: number) =>
  new Date(now.getTime() - days * 24 * 3600 * 1000).toISOString();

describe('computeDora', () => {
  it('computes frequency, median lead time and hotfix share in the window', () => {
    const metrics = computeDora({
      stage: 'prod',
      now,
      windowDays: 28,
      transitions: [
        {
          stage: 'prod',
          observedAt: daysAgo(1),
          revisionDate: daysAgo(2),
          status: 'ok',
        },
        {
          stage: 'prod',
          observedAt: daysAgo(5),
          revisionDate: daysAgo(5.5),
          status: 'ok',
        },
        {
          stage: 'prod',
          observedAt: daysAgo(9),
          revisionDate: daysAgo(12),
          status: 'ok',
        },
        {
          stage: 'prod',
          observedAt: daysAgo(40),
          revisionDate: daysAgo(41),
          status: 'ok',
        },
        { stage: 'staging', observedAt: daysAgo(1), status: 'ok' },
      ],
      releases: [
        {
          tag: 'v1.3.0',
          version: '1.3.0',
          sha: 'a',
          date: daysAgo(2),
          prerelease: false,
        },
        {
          tag: 'v1.2.1',
          version: '1.2.1',
          sha: 'b',
          date: daysAgo(6),
          prerelease: false,
        },
        {
          tag: 'v1.2.0',
          version: '1.2.0',
          sha: 'c',
          date: daysAgo(12),
          prerelease: false,
        },
        {
          tag: 'v1.1.1',
          version: '1.1.1',
          sha: 'd',
          date: daysAgo(50),
          prerelease: false,
        },
        {
          tag: 'v1.3.0-rc.1',
          version: '1.3.0-rc.1',
          sha: 'e',
          date: daysAgo(3),
          prerelease: true,
        },
      ],
    });
    expect(metrics).toEqual({
      stage: 'prod',
      windowDays: 28,
      deployments: 3,
      deploymentsPerWeek: 0.75,
      leadTimeHours: 24,
      hotfixShare: 0.333,
    });
  });

  it('leaves out what cannot be computed', () => {
    expect(
      computeDora({
        stage: 'prd',
        now,
        windowDays: 7,
        transitions: [],
        releases: [],
      }),
    ).toEqual({
      stage: 'prd',
      windowDays: 7,
      deployments: 0,
      deploymentsPerWeek: 0,
    });
  });

  it('does not count a stage in error as a deployment', () => {
    const metrics = computeDora({
      stage: 'prod',
      now,
      windowDays: 28,
      transitions: [
        { stage: 'prod', observedAt: daysAgo(1), status: 'error' },
        {
          stage: 'prod',
          observedAt: daysAgo(2),
          revisionDate: daysAgo(3),
          status: 'ok',
        },
      ],
      releases: [],
    });
    expect(metrics.deployments).toBe(1);
    expect(metrics.leadTimeHours).toBe(24);
  });
});
