import { Link, Table, TableColumn } from '@backstage/core-components';
import { CompareCommit } from '@stageflow/plugin-stageflow-common';
import { commitUrl, shortSha } from '../shared';

function columns(slug?: string): TableColumn<CompareCommit>[] {
  return [
    { title: 'Commit', field: 'subject', highlight: true },
    { title: 'Type', field: 'type' },
    {
      title: 'Sha',
      render: commit =>
        slug ? (
          <Link to={commitUrl(slug, commit.sha)}>{shortSha(commit.sha)}</Link>
        ) : (
          shortSha(commit.sha)
        ),
    },
    { title: 'Author', render: commit => commit.author ?? '-' },
  ];
}

/**
 * The `fix:` and `perf:` commits of the release branch that the last stage
 * does not run: what a hotfix could carry.
 */
export function HotfixCandidatesTable(props: {
  candidates: CompareCommit[];
  slug?: string;
}) {
  const { candidates, slug } = props;
  return (
    <Table<CompareCommit>
      title="Hotfix candidates"
      subtitle="Fixes on the release branch that the last stage does not run"
      options={{
        paging: candidates.length > 10,
        pageSize: 10,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
      columns={columns(slug)}
      data={candidates}
      emptyContent={
        <div style={{ padding: 16 }}>
          The last stage runs every fix of the release branch.
        </div>
      }
    />
  );
}
