import {
  Content,
  ContentHeader,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import { OverviewItem } from '@stageflow/plugin-stageflow-common';
import { useMemo, useState } from 'react';
import { useOverview } from '../../hooks';
import { StageStatusChip } from '../shared';

function unhealthyStages(item: OverviewItem) {
  return item.stages.filter(s => s.status !== 'ok');
}

const columns: TableColumn<OverviewItem>[] = [
  {
    title: 'Component',
    highlight: true,
    render: item => (
      <EntityRefLink entityRef={item.entityRef} title={item.title} />
    ),
  },
  {
    title: 'Owner',
    render: item =>
      item.owner ? (
        <EntityRefLink entityRef={item.owner} defaultKind="group" />
      ) : (
        '-'
      ),
  },
  {
    title: 'System',
    render: item =>
      item.system ? (
        <EntityRefLink entityRef={item.system} defaultKind="system" />
      ) : (
        '-'
      ),
  },
  { title: 'Flow', field: 'flow' },
  {
    title: 'Stages',
    width: '35%',
    render: item => (
      <Box display="flex" flexWrap="wrap" style={{ gap: 12 }}>
        {item.stages.map(stage => (
          <StageStatusChip
            key={stage.name}
            status={stage.status}
            message={stage.message ?? stage.status}
            label={`${stage.name} ${stage.version ?? stage.status}`}
          />
        ))}
      </Box>
    ),
  },
  {
    title: 'Health',
    render: item => {
      const bad = unhealthyStages(item);
      return bad.length === 0
        ? 'ok'
        : bad.map(stage => `${stage.status} in ${stage.name}`).join(', ');
    },
  },
];

function FilterSelect(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      label={props.label}
      id={`stageflow-filter-${props.label.toLocaleLowerCase('en-US')}`}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      // 'All' is an empty value: the label stays above it.
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
      style={{ minWidth: 180 }}
    >
      <option value="">All</option>
      {props.options.map(option => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </TextField>
  );
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
}

/**
 * Every component Stageflow follows with what runs in each of its stages;
 * filters by owner, system and flow, and can narrow to what drifts. It
 * reads again when the backend announces a change of any component.
 *
 * @public
 */
export function StageflowPage() {
  const { value, loading, error } = useOverview();
  const [owner, setOwner] = useState('');
  const [system, setSystem] = useState('');
  const [flow, setFlow] = useState('');
  const [driftOnly, setDriftOnly] = useState(false);

  const items = useMemo(() => value?.items ?? [], [value]);
  const options = useMemo(
    () => ({
      owners: distinct(items.map(i => i.owner)),
      systems: distinct(items.map(i => i.system)),
      flows: distinct(items.map(i => i.flow)),
    }),
    [items],
  );
  const rows = useMemo(
    () =>
      items.filter(
        item =>
          (!owner || item.owner === owner) &&
          (!system || item.system === system) &&
          (!flow || item.flow === flow) &&
          (!driftOnly || unhealthyStages(item).length > 0),
      ),
    [items, owner, system, flow, driftOnly],
  );

  return (
    <Page themeId="tool">
      <Header
        title="Stageflow"
        subtitle="Which version runs in each stage of every component"
      />
      <Content>
        <ContentHeader title="Components" />
        {loading && !value && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <>
            <Box
              display="flex"
              flexWrap="wrap"
              alignItems="center"
              mb={2}
              style={{ gap: 16 }}
            >
              <FilterSelect
                label="Owner"
                value={owner}
                options={options.owners}
                onChange={setOwner}
              />
              <FilterSelect
                label="System"
                value={system}
                options={options.systems}
                onChange={setSystem}
              />
              <FilterSelect
                label="Flow"
                value={flow}
                options={options.flows}
                onChange={setFlow}
              />
              <FormControlLabel
                control={
                  <Switch
                    checked={driftOnly}
                    onChange={(_, checked) => setDriftOnly(checked)}
                  />
                }
                label="Drift only"
              />
            </Box>
            <Table<OverviewItem>
              title={`Components (${rows.length} of ${items.length})`}
              subtitle={
                value.generatedAt
                  ? `Snapshot of ${new Date(
                      value.generatedAt,
                    ).toLocaleString()}`
                  : undefined
              }
              options={{
                pageSize: 20,
                pageSizeOptions: [20, 50, 100],
                padding: 'dense',
                search: true,
                rowStyle: (item: OverviewItem) =>
                  unhealthyStages(item).length > 0
                    ? { backgroundColor: 'rgba(255, 152, 0, 0.12)' }
                    : {},
              }}
              columns={columns}
              data={rows}
            />
          </>
        )}
      </Content>
    </Page>
  );
}
