import { InfoCard } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { DoraMetrics } from '@stageflow/plugin-stageflow-common';
import { plural } from '../shared';

function formatHours(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} hours`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}

function Figure(props: { label: string; value: string; detail?: string }) {
  return (
    <Grid item xs={12} sm={4}>
      <Typography variant="overline" component="h3">
        {props.label}
      </Typography>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      {props.detail && (
        <Typography variant="body2" color="textSecondary">
          {props.detail}
        </Typography>
      )}
    </Grid>
  );
}

/** Deployment frequency, lead time and hotfix share of the last stage. */
export function DoraMetricsCard(props: { dora: DoraMetrics }) {
  const { dora } = props;
  return (
    <InfoCard
      title="Delivery"
      subheader={`DORA figures for ${dora.stage}, last ${dora.windowDays} days`}
    >
      <Grid container spacing={2}>
        <Figure
          label="Deployment frequency"
          value={`${Math.round(dora.deploymentsPerWeek * 10) / 10} / week`}
          detail={plural(dora.deployments, 'deployment')}
        />
        <Figure
          label="Lead time"
          value={
            dora.leadTimeHours === undefined
              ? '-'
              : formatHours(dora.leadTimeHours)
          }
          detail="median, commit to running"
        />
        <Figure
          label="Hotfix share"
          value={
            dora.hotfixShare === undefined
              ? '-'
              : `${Math.round(dora.hotfixShare * 100)}%`
          }
          detail="of releases"
        />
      </Grid>
    </InfoCard>
  );
}
