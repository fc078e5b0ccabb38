import { DoraMetrics, Release } from '@stageflow/plugin-stageflow-common';
import { parse } from 'semver';
import { RecordedTransition } from './SnapshotStore';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

function median(values: number[]): number | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * DORA figures of the last stage over a window: deployment frequency (how
 * often what it runs changed), lead time (median hours from the commit to
 * its observation in the stage) and the share of hotfix releases (a patch
 * release: both seed workflows cut hotfixes as `X.Y.(Z+1)`).
 */
export function computeDora(options: {
  stage: string;
  transitions: RecordedTransition[];
  releases: Release[];
  now: Date;
  windowDays: number;
}): DoraMetrics {
  const { stage, now, windowDays } = options;
  const since = now.getTime() - windowDays * DAY_MS;
  // A stage that failed to resolve deployed nothing.
  const deployments = options.transitions.filter(
    t =>
      t.stage === stage &&
      t.status !== 'error' &&
      new Date(t.observedAt).getTime() >= since,
  );
  const leadTimes = deployments
    .filter(t => t.revisionDate)
    .map(
      t =>
        (new Date(t.observedAt).getTime() -
          new Date(t.revisionDate!).getTime()) /
        HOUR_MS,
    )
    .filter(hours => hours >= 0);
  const releases = options.releases.filter(
    r => !r.prerelease && r.date && new Date(r.date).getTime() >= since,
  );
  const hotfixes = releases.filter(r => (parse(r.version)?.patch ?? 0) > 0);
  const leadTimeHours = median(leadTimes);
  return {
    stage,
    windowDays,
    deployments: deployments.length,
    deploymentsPerWeek:
      Math.round((deployments.length / (windowDays / 7)) * 100) / 100,
    ...(leadTimeHours !== undefined
      ? { leadTimeHours: Math.round(leadTimeHours * 10) / 10 }
      : {}),
    ...(releases.length
      ? {
          hotfixShare:
            Math.round((hotfixes.length / releases.length) * 1000) / 1000,
        }
      : {}),
  };
}
