import { Table, TableColumn } from '@backstage/core-components';
import { StageTransition } from '@stageflow/plugin-stageflow-common';
import {
  StageStatusChip,
  absoluteTime,
  relativeTime,
  shortDigest,
  shortSha,
} from '../shared';

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

/** The stage transitions the snapshots observed, newest first. */
export function HistoryTable(props: { transitions: StageTransition[] }) {
  const rows = [...props.transitions].sort((a, b) =>
    b.observedAt.localeCompare(a.observedAt),
  );
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
      columns={columns}
      data={rows}
      emptyContent={
        <div style={{ padding: 16 }}>No stage transition observed yet.</div>
      }
    />
  );
}
