import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import Grid from '@material-ui/core/Grid';
import { STAGEFLOW_IMAGE_ANNOTATION } from '@stageflow/plugin-stageflow-common';
import { isStageflowAvailable } from '../../conditions';
import { useHistory, useHotfixes, useReleases, useStages } from '../../hooks';
import { StaleNotice, gitHubSlug } from '../shared';
import { CompareView } from './CompareView';
import { DoraMetricsCard } from './DoraMetricsCard';
import { HistoryTable } from './HistoryTable';
import { PromotionRequestsTable } from './PromotionRequestsTable';
import { HotfixCandidatesTable } from './HotfixCandidatesTable';
import { ReleasesTable } from './ReleasesTable';

/**
 * The Stageflow tab of an entity: delivery figures, comparison of stages and
 * releases, hotfix candidates, release history and stage transitions. Each
 * section loads on its own (one failing request leaves the others) and reads
 * again when the backend announces a change.
 *
 * @public
 */
export function EntityStageflowContent() {
  const { entity } = useEntity();
  const available = isStageflowAvailable(entity);
  const stages = useStages(available ? entity : undefined);
  const releases = useReleases(available ? entity : undefined);
  const history = useHistory(available ? entity : undefined);
  const hotfixes = useHotfixes(available ? entity : undefined);

  if (!available) {
    return (
      <MissingAnnotationEmptyState annotation={STAGEFLOW_IMAGE_ANNOTATION} />
    );
  }

  const slug = gitHubSlug(entity);
  // The comparison's defaults come from the stages: wait for them.
  const compareReady =
    (stages.value || stages.error) && (releases.value || releases.error);
  return (
    <Grid container spacing={3}>
      {stages.value?.stale && (
        <Grid item xs={12}>
          <StaleNotice stale={stages.value.stale} />
        </Grid>
      )}
      <Grid item xs={12}>
        {history.error && <ResponseErrorPanel error={history.error} />}
        {history.value && <DoraMetricsCard dora={history.value.dora} />}
        {!history.value && !history.error && <Progress />}
      </Grid>
      <Grid item xs={12}>
        {compareReady ? (
          <CompareView
            entity={entity}
            stages={stages.value?.stages.map(s => s.name) ?? []}
            tags={releases.value?.releases.map(r => r.tag) ?? []}
          />
        ) : (
          <Progress />
        )}
      </Grid>
      {hotfixes.value && (
        <Grid item xs={12}>
          <HotfixCandidatesTable
            candidates={hotfixes.value.candidates}
            slug={slug}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        {releases.error && <ResponseErrorPanel error={releases.error} />}
        {releases.value && (
          <ReleasesTable
            releases={releases.value.releases}
            slug={slug}
            stale={releases.value.stale}
          />
        )}
      </Grid>
      <Grid item xs={12}>
        <PromotionRequestsTable entity={entity} />
      </Grid>
      <Grid item xs={12}>
        {/* A failed history request is already reported above. */}
        {history.value && (
          <HistoryTable
            transitions={history.value.transitions}
            entityRef={stringifyEntityRef(entity)}
          />
        )}
      </Grid>
    </Grid>
  );
}
