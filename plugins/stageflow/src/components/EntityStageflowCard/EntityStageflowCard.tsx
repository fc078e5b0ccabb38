import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { STAGEFLOW_IMAGE_ANNOTATION } from '@stageflow/plugin-stageflow-common';
import { useCallback } from 'react';
import { isStageflowAvailable } from '../../conditions';
import { useHotfixes, useStages, useUnreleased } from '../../hooks';
import { StaleNotice, gitHubSlug } from '../shared';
import {
  CardActions,
  StageflowTemplates,
  defaultStageflowTemplates,
} from './CardActions';
import { StagesTable } from './StagesTable';
import { UnreleasedSummary } from './UnreleasedSummary';

/**
 * Properties of {@link EntityStageflowCard}.
 *
 * @public
 */
export interface EntityStageflowCardProps {
  /** Overrides the scaffolder templates of the header actions. */
  templates?: Partial<StageflowTemplates>;
  /** Path of the Stageflow tab under the entity page; default `stageflow`. */
  contentPath?: string;
}

// An app without the catalog's entity page (the dev app) has no entity
// route: the card then shows how far behind a stage is without a link.
// useRouteRef calls all its hooks before it throws, so hook order is stable.
function useEntityRoute() {
  try {
    return useRouteRef(entityRouteRef);
  } catch {
    return undefined;
  }
}

/**
 * The versions that run in each stage of the current entity, what is not
 * released yet, and actions that start the Stageflow scaffolder templates
 * for it. It reads again when the backend announces a change.
 *
 * @public
 */
export function EntityStageflowCard(props: EntityStageflowCardProps = {}) {
  const { contentPath = 'stageflow' } = props;
  const { entity } = useEntity();
  const available = isStageflowAvailable(entity);
  const stages = useStages(available ? entity : undefined);
  const unreleased = useUnreleased(available ? entity : undefined);
  const hotfixes = useHotfixes(available ? entity : undefined);
  const entityRoute = useEntityRoute();
  const tabUrl = entityRoute
    ? `${entityRoute(entityRouteParams(entity))}/${contentPath}`
    : undefined;
  const compareUrl = useCallback(
    (from: string, to: string) =>
      `${tabUrl}?${new URLSearchParams({ from, to })}`,
    [tabUrl],
  );

  if (!available) {
    return (
      <MissingAnnotationEmptyState annotation={STAGEFLOW_IMAGE_ANNOTATION} />
    );
  }

  const templates = { ...defaultStageflowTemplates, ...props.templates };
  const slug = gitHubSlug(entity);
  const { value } = stages;
  let content: JSX.Element;
  if (stages.loading && !value) {
    content = <Progress />;
  } else if (stages.error) {
    content = <ResponseErrorPanel error={stages.error} />;
  } else if (!value || value.stages.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No stages yet"
        description="The Stageflow backend has not reported any stage for this component."
      />
    );
  } else {
    content = (
      <StagesTable
        stages={value.stages}
        slug={slug}
        compareUrl={tabUrl ? compareUrl : undefined}
      />
    );
  }

  return (
    <InfoCard
      title="Stages"
      subheader={
        value && (
          <>
            <span>Flow: {value.flow}</span>
            <StaleNotice stale={value.stale} />
          </>
        )
      }
      action={
        <CardActions
          entityRef={stringifyEntityRef(entity)}
          templates={templates}
          openHotfixes={hotfixes.value?.open}
        />
      }
      noPadding
    >
      {content}
      {unreleased.value && (
        <UnreleasedSummary unreleased={unreleased.value} slug={slug} />
      )}
    </InfoCard>
  );
}
