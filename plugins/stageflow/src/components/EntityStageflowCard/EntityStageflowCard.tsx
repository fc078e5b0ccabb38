import {
  CopyTextButton,
  EmptyState,
  InfoCard,
  Link,
  LinkButton,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import Typography from '@material-ui/core/Typography';
import {
  STAGEFLOW_IMAGE_ANNOTATION,
  StageInfo,
  stageflowHotfixCreatePermission,
  stageflowImagePromotePermission,
  stageflowReleaseCreatePermission,
} from '@stageflow/plugin-stageflow-common';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stageflowApiRef } from '../../api';
import { isStageflowAvailable } from '../../conditions';
import {
  StageStatusChip,
  absoluteTime,
  commitUrl,
  gitHubSlug,
  plural,
  relativeTime,
  releaseUrl,
  shortDigest,
  shortSha,
  templateUrl,
} from '../shared';

/**
 * Names of the scaffolder templates the card's actions open, as
 * `name` (namespace `default`) or `namespace/name`.
 *
 * @public
 */
export interface StageflowTemplates {
  hotfix: string;
  releaseTag: string;
  promote: string;
}

/**
 * The templates of `examples/` that the card's actions open by default.
 *
 * @public
 */
export const defaultStageflowTemplates: StageflowTemplates = {
  hotfix: 'start-hotfix',
  releaseTag: 'tag-release',
  promote: 'promote-to-stage',
};

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

function columns(options: {
  slug?: string;
  compareUrl?: (from: string, to: string) => string;
}): TableColumn<StageInfo>[] {
  const { slug, compareUrl } = options;
  return [
    {
      title: 'Stage',
      field: 'name',
      highlight: true,
      cellStyle: { whiteSpace: 'nowrap' },
    },
    {
      title: 'Version',
      render: stage => (
        <Box>
          {!stage.version && '-'}
          {stage.version &&
            (slug && stage.tag ? (
              <Link to={releaseUrl(slug, stage.tag)}>{stage.version}</Link>
            ) : (
              stage.version
            ))}
          {stage.createdAt && (
            <Typography
              variant="caption"
              color="textSecondary"
              display="block"
              title={`Image built ${absoluteTime(stage.createdAt)}`}
            >
              built {relativeTime(stage.createdAt)}
            </Typography>
          )}
        </Box>
      ),
    },
    {
      title: 'Commit',
      render: stage => {
        if (!stage.revision) return '-';
        const sha = shortSha(stage.revision);
        return slug ? (
          <Link to={commitUrl(slug, stage.revision)}>{sha}</Link>
        ) : (
          sha
        );
      },
    },
    {
      title: 'Digest',
      render: stage =>
        stage.digest ? (
          <Box display="flex" alignItems="center" component="span">
            <Typography
              variant="body2"
              component="span"
              title={stage.digest}
              style={{ whiteSpace: 'nowrap', fontFamily: 'monospace' }}
            >
              {shortDigest(stage.digest)}
            </Typography>
            <CopyTextButton
              text={stage.digest}
              aria-label={`Copy digest of ${stage.name}`}
              tooltipText="Digest copied"
            />
          </Box>
        ) : (
          '-'
        ),
    },
    {
      title: 'Status',
      render: stage => (
        <Box>
          <StageStatusChip status={stage.status} message={stage.message} />
          {stage.status === 'error' && stage.message && (
            <Typography variant="caption" color="error" display="block">
              {stage.message}
            </Typography>
          )}
        </Box>
      ),
    },
    {
      title: 'Behind',
      render: stage => {
        if (!stage.behind) return '-';
        if (stage.behind.commits === 0) {
          return `in sync with ${stage.behind.stage}`;
        }
        const text = `${plural(stage.behind.commits, 'commit')}, ${plural(
          stage.behind.releases,
          'release',
        )} behind ${stage.behind.stage}`;
        return compareUrl ? (
          <Link to={compareUrl(stage.name, stage.behind.stage)}>{text}</Link>
        ) : (
          text
        );
      },
    },
  ];
}

/**
 * A button that opens a template, disabled (with the reason on hover) when
 * the policy would refuse the action the template runs.
 */
function TemplateButton(props: {
  to: string;
  permission: ResourcePermission<'catalog-entity'>;
  entityRef: string;
  children: string;
}) {
  const { allowed, loading } = usePermission({
    permission: props.permission,
    resourceRef: props.entityRef,
  });
  if (allowed || loading) {
    return (
      <LinkButton size="small" variant="outlined" to={props.to}>
        {props.children}
      </LinkButton>
    );
  }
  return (
    <Tooltip
      title={`You may not do this on ${props.entityRef} (permission ${props.permission.name}): members of the owning group may`}
    >
      <span>
        <Button size="small" variant="outlined" disabled>
          {props.children}
        </Button>
      </span>
    </Tooltip>
  );
}

/**
 * The versions that run in each stage of the current entity, with actions
 * that start the Stageflow scaffolder templates for it.
 *
 * @public
 */
export function EntityStageflowCard(props: EntityStageflowCardProps = {}) {
  const { contentPath = 'stageflow' } = props;
  const { entity } = useEntity();
  const api = useApi(stageflowApiRef);
  const entityRoute = useEntityRoute();
  const available = isStageflowAvailable(entity);
  const { value, loading, error } = useAsync(
    async () =>
      available ? api.getStages(getCompoundEntityRef(entity)) : undefined,
    [api, entity, available],
  );

  const templates = { ...defaultStageflowTemplates, ...props.templates };
  const entityRef = stringifyEntityRef(entity);
  const slug = gitHubSlug(entity);
  const tableColumns = useMemo(() => {
    if (!entityRoute) return columns({ slug });
    const tabUrl = `${entityRoute(entityRouteParams(entity))}/${contentPath}`;
    return columns({
      slug,
      compareUrl: (from, to) =>
        `${tabUrl}?${new URLSearchParams({ from, to })}`,
    });
  }, [entityRoute, entity, contentPath, slug]);

  if (!available) {
    return (
      <MissingAnnotationEmptyState annotation={STAGEFLOW_IMAGE_ANNOTATION} />
    );
  }

  let content: JSX.Element;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
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
      <Table<StageInfo>
        options={{
          paging: false,
          search: false,
          toolbar: false,
          sorting: false,
          padding: 'dense',
        }}
        columns={tableColumns}
        data={value.stages}
      />
    );
  }

  const action = (
    <Box display="flex" style={{ gap: 8 }} flexWrap="wrap" pt={1}>
      <TemplateButton
        to={templateUrl(templates.hotfix, entityRef)}
        permission={stageflowHotfixCreatePermission}
        entityRef={entityRef}
      >
        Start hotfix
      </TemplateButton>
      <TemplateButton
        to={templateUrl(templates.releaseTag, entityRef)}
        permission={stageflowReleaseCreatePermission}
        entityRef={entityRef}
      >
        Tag release
      </TemplateButton>
      <TemplateButton
        to={templateUrl(templates.promote, entityRef)}
        permission={stageflowImagePromotePermission}
        entityRef={entityRef}
      >
        Promote
      </TemplateButton>
    </Box>
  );

  return (
    <InfoCard
      title="Stages"
      subheader={value ? `Flow: ${value.flow}` : undefined}
      action={action}
      noPadding
    >
      {content}
    </InfoCard>
  );
}
