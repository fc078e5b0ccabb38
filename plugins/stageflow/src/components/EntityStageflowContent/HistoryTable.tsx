import { LinkButton, Table, TableColumn } from '@backstage/core-components';
import { StageTransition } from '@stageflow/plugin-stageflow-common';
import {
  StageStatusChip,
  absoluteTime,
  relativeTime,
  shortDigest,
  shortSha,
  templateUrl,
} from '../shared';
import { defaultStageflowTemplates } from '../EntityStageflowCard/CardActions';

// "Roll back to this" is offered for the last few versions a stage left.
const ROLLBACK_ROWS_PER_STAGE = 5;

function describe(
  version: string | undefined,
  digest: string | undefined,
): string {
  if (version) return version;
  if (digest) return shortDigest(digest);
  return '-';
}

// Versions and stage names read best on one line.
const noWrap = { whiteSpace: 'nowrap' } as const;

const columns: TableColumn<StageTransition>[] = [
  {
    title: 'Observed',
    render: t => (
      <span title={absoluteTime(t.observedAt)}>
        {relativeTime(t.observedAt)}
      </span>
    ),
  },
  {
    title: 'Stage',
    field: 'stage',
    highlight: true,
    cellStyle: noWrap,
  },
  {
    title: 'From',
    render: t => describe(t.fromVersion, t.fromDigest),
    cellStyle: noWrap,
  },
  {
    title: 'To',
    render: t => describe(t.toVersion, t.toDigest),
    cellStyle: noWrap,
  },
  {
    title: 'Commit',
    render: t => (t.revision ? shortSha(t.revision) : '-'),
  },
  { title: 'Status', render: t => <StageStatusChip status={t.status} /> },
  // Changes made outside Stageflow are seen by a snapshot, with no actor.
  {
    title: 'By',
    render: t =>
      t.approvers?.length
        ? `${t.actor ?? 'snapshot'} (approved by ${t.approvers.join(', ')})`
        : t.actor ?? 'snapshot',
  },
];

/**
 * The stage transitions the snapshots observed, newest first. With an
 * `entityRef`, the recent versions a stage left can be rolled back to: the
 * promote template opens with the stage, the version and `allowDowngrade`
 * filled in (a protected stage then waits for approval as any promotion).
 */
export function HistoryTable(props: {
  transitions: StageTransition[];
  entityRef?: string;
  promoteTemplate?: string;
}) {
  const { entityRef } = props;
  const rows = [...props.transitions].sort((a, b) =>
    b.observedAt.localeCompare(a.observedAt),
  );
  const offered = new Map<string, number>();
  // The table hands its renderers copies of the rows: keep keys, not rows.
  const rowKey = (t: StageTransition) =>
    `${t.stage}|${t.observedAt}|${t.toDigest ?? ''}`;
  const rollbackTargets = new Set<string>();
  for (const row of rows) {
    const count = offered.get(row.stage) ?? 0;
    if (row.fromVersion && count < ROLLBACK_ROWS_PER_STAGE) {
      rollbackTargets.add(rowKey(row));
      offered.set(row.stage, count + 1);
    }
  }
  const rollback: TableColumn<StageTransition> = {
    title: '',
    render: t =>
      entityRef && rollbackTargets.has(rowKey(t)) ? (
        <LinkButton
          size="small"
          variant="outlined"
          to={templateUrl(
            props.promoteTemplate ?? defaultStageflowTemplates.promote,
            entityRef,
            {
              stage: t.stage,
              version: t.fromVersion!,
              allowDowngrade: true,
              rollback: true,
            },
          )}
        >
          {`Roll back to ${t.fromVersion}`}
        </LinkButton>
      ) : null,
  };
  return (
    <Table<StageTransition>
      title="Stage history"
      options={{
        paging: rows.length > 10,
        pageSize: 10,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
      columns={entityRef ? [...columns, rollback] : columns}
      data={rows}
      emptyContent={
        <div style={{ padding: 16 }}>No stage transition observed yet.</div>
      }
    />
  );
}
