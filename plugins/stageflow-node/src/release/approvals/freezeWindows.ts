import { ConflictError } from '@backstage/errors';
import { FlowStage, FreezeWindow } from '@stageflow/plugin-stageflow-common';
import { CronTime } from 'cron';
import { DateTime, Duration } from 'luxon';

/** The freeze window `now` falls in, with when it opened and closes.
 *
 * @public
 */
export function activeFreezeWindow(
  windows: FreezeWindow[] | undefined,
  now: Date,
): { window: FreezeWindow; from: Date; until: Date } | undefined {
  for (const window of windows ?? []) {
    const length = Duration.fromISO(window.duration);
    const timeZone = window.timeZone ?? 'UTC';
    const cron = new CronTime(window.cron, timeZone);
    // The first opening after (now - duration) is the one that may still
    // be open: if it opened by now, now is inside it. (getNextDateFrom
    // needs the zone again, or it counts in UTC.)
    const from = cron
      .getNextDateFrom(
        DateTime.fromJSDate(now).minus(length).minus({ seconds: 1 }),
        timeZone,
      )
      .toJSDate();
    const until = new Date(from.getTime() + length.as('milliseconds'));
    if (from <= now && now < until) {
      return { window, from, until };
    }
  }
  return undefined;
}

/** Refuses a promotion to a stage inside one of its freeze windows. */
export function assertNotFrozen(stage: FlowStage, now: Date): void {
  const active = activeFreezeWindow(stage.freeze, now);
  if (active) {
    const { window, until } = active;
    const name = window.name ?? window.cron;
    throw new ConflictError(
      `Stage ${stage.name} is frozen: freeze window '${name}' (${window.cron} ${
        window.timeZone ?? 'UTC'
      }, for ${window.duration}) is open until ${until.toISOString()}`,
    );
  }
}
