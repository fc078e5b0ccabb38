import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  STAGEFLOW_IMAGE_ANNOTATION,
  StageInfo,
} from '@stageflow/plugin-stageflow-common';
import { DateTime } from 'luxon';
import useAsync from 'react-use/esm/useAsync';
import { stageflowApiRef } from '../../api';
import { isStageflowAvailable } from '../../conditions';
import { StageStatusChip } from './StageStatusChip';

const columns: TableColumn<StageInfo>[] = [
  { title: 'Stage', field: 'name', highlight: true },
  { title: 'Version', render: stage => stage.version ?? '-' },
  {
    title: 'Commit',
    render: stage => (stage.revision ? stage.revision.slice(0, 7) : '-'),
  },
  {
    title: 'Digest',
    render: stage =>
      stage.digest ? stage.digest.replace(/^sha256:/, '').slice(0, 12) : '-',
  },
  {
    title: 'Age',
    render: stage =>
      stage.createdAt ? DateTime.fromISO(stage.createdAt).toRelative() : '-',
  },
  { title: 'Status', render: stage => <StageStatusChip stage={stage} /> },
  {
    title: 'Behind',
    render: stage =>
      stage.behind
        ? `${stage.behind.commits} commits / ${stage.behind.releases} releases behind ${stage.behind.stage}`
        : '-',
  },
];

/**
 * The versions that run in each stage of the current entity.
 *
 * @public
 */
export function EntityStageflowCard() {
  const { entity } = useEntity();
  const api = useApi(stageflowApiRef);
  const available = isStageflowAvailable(entity);
  const { value, loading, error } = useAsync(
    async () =>
      available ? api.getStages(getCompoundEntityRef(entity)) : undefined,
    [api, entity, available],
  );

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
          padding: 'dense',
        }}
        columns={columns}
        data={value.stages}
      />
    );
  }

  return (
    <InfoCard
      title="Stages"
      subheader={value ? `Flow: ${value.flow}` : undefined}
      noPadding
    >
      {content}
    </InfoCard>
  );
}
