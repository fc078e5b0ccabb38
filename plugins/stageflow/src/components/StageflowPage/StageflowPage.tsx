import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  EntityRefLinks,
  catalogApiRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import {
  STAGEFLOW_FLOW_ANNOTATION,
  STAGEFLOW_IMAGE_ANNOTATION,
} from '@stageflow/plugin-stageflow-common';
import useAsync from 'react-use/esm/useAsync';

const columns: TableColumn<Entity>[] = [
  {
    title: 'Component',
    highlight: true,
    customSort: (a, b) => a.metadata.name.localeCompare(b.metadata.name),
    render: entity => <EntityRefLink entityRef={entity} />,
  },
  {
    title: 'Owner',
    render: entity => (
      <EntityRefLinks
        entityRefs={getEntityRelations(entity, RELATION_OWNED_BY)}
        defaultKind="group"
      />
    ),
  },
  {
    title: 'Flow',
    render: entity =>
      entity.metadata.annotations?.[STAGEFLOW_FLOW_ANNOTATION] ?? 'default',
  },
  {
    title: 'Image',
    render: entity => entity.metadata.annotations?.[STAGEFLOW_IMAGE_ANNOTATION],
  },
];

/**
 * Every component that Stageflow follows, with its flow and image.
 *
 * @public
 */
export function StageflowPage() {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(
    async () =>
      (
        await catalogApi.getEntities({
          filter: {
            kind: 'Component',
            [`metadata.annotations.${STAGEFLOW_IMAGE_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          order: { field: 'metadata.name', order: 'asc' },
        })
      ).items,
    [catalogApi],
  );

  return (
    <Page themeId="tool">
      <Header
        title="Stageflow"
        subtitle="Which version runs in each stage of every component"
      />
      <Content>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <Table<Entity>
            title={`Components (${value.length})`}
            options={{ pageSize: 20, padding: 'dense' }}
            columns={columns}
            data={value}
          />
        )}
      </Content>
    </Page>
  );
}
