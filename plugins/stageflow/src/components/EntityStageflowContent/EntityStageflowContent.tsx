import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import Grid from '@material-ui/core/Grid';
import { STAGEFLOW_IMAGE_ANNOTATION } from '@stageflow/plugin-stageflow-common';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stageflowApiRef } from '../../api';
import { isStageflowAvailable } from '../../conditions';
import { gitHubSlug } from '../shared';
import { CompareView } from './CompareView';
import { DoraMetricsCard } from './DoraMetricsCard';
import { HistoryTable } from './HistoryTable';
import { ReleasesTable } from './ReleasesTable';

/**
 * The Stageflow tab of an entity: delivery figures, comparison of stages and
 * releases, release history and stage transitions.
 *
 * @public
 */
export function EntityStageflowContent() {
  const { entity } = useEntity();
  const api = useApi(stageflowApiRef);
  const available = isStageflowAvailable(entity);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);

  const { value, loading, error } = useAsync(async () => {
    if (!available) return undefined;
    // One failing request (history needs the database) leaves the rest.
    const [stages, releases, history] = await Promise.allSettled([
      api.getStages(entityRef),
      api.getReleases(entityRef),
      api.getHistory(entityRef),
    ]);
    return { stages, releases, history };
  }, [api, entityRef, available]);

  if (!available) {
    return (
      <MissingAnnotationEmptyState annotation={STAGEFLOW_IMAGE_ANNOTATION} />
    );
  }
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) {
    return <EmptyState missing="data" title="No Stageflow data" />;
  }

  const slug = gitHubSlug(entity);
  const { stages, releases, history } = value;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        {history.status === 'fulfilled' ? (
          <DoraMetricsCard dora={history.value.dora} />
        ) : (
          <ResponseErrorPanel error={history.reason} />
        )}
      </Grid>
      <Grid item xs={12}>
        <CompareView
          entityRef={entityRef}
          stages={
            stages.status === 'fulfilled'
              ? stages.value.stages.map(s => s.name)
              : []
          }
          tags={
            releases.status === 'fulfilled'
              ? releases.value.releases.map(r => r.tag)
              : []
          }
        />
      </Grid>
      <Grid item xs={12}>
        {releases.status === 'fulfilled' ? (
          <ReleasesTable releases={releases.value.releases} slug={slug} />
        ) : (
          <ResponseErrorPanel error={releases.reason} />
        )}
      </Grid>
      <Grid item xs={12}>
        {/* A failed history request is already reported above. */}
        {history.status === 'fulfilled' && (
          <HistoryTable transitions={history.value.transitions} />
        )}
      </Grid>
    </Grid>
  );
}
