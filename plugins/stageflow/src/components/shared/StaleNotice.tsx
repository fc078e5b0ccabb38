import Typography from '@material-ui/core/Typography';
import { StaleMark } from '@stageflow/plugin-stageflow-common';
import { DateTime } from 'luxon';
import { absoluteTime, relativeTime } from './format';

function clockTime(iso: string): string {
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toLocaleString(DateTime.TIME_SIMPLE) : iso;
}

/**
 * "as of 5 minutes ago: GitHub github.com rate limited until 08:53": said
 * when an answer is the last known state because an upstream failed.
 */
export function staleText(stale: StaleMark): string {
  const until = stale.until ? ` until ${clockTime(stale.until)}` : '';
  return `as of ${relativeTime(stale.asOf)}: ${stale.reason}${until}`;
}

/** A line saying how old a stale answer is and why; nothing when fresh. */
export function StaleNotice(props: { stale?: StaleMark }) {
  const { stale } = props;
  if (!stale) return null;
  return (
    <Typography
      role="status"
      component="span"
      display="block"
      variant="body2"
      color="error"
      title={`Last read ${absoluteTime(stale.asOf)}`}
    >
      {staleText(stale)}
    </Typography>
  );
}
