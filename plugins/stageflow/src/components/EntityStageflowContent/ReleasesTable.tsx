import { Link, Table, TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { Release } from '@stageflow/plugin-stageflow-common';
import {
  absoluteTime,
  commitUrl,
  releaseUrl,
  relativeTime,
  shortSha,
} from '../shared';

function columns(slug?: string): TableColumn<Release>[] {
  return [
    {
      title: 'Version',
      highlight: true,
      render: release => (
        <>
          {slug ? (
            <Link to={releaseUrl(slug, release.tag)}>{release.version}</Link>
          ) : (
            release.version
          )}
          {release.prerelease && (
            <Chip size="small" label="pre-release" style={{ marginLeft: 8 }} />
          )}
        </>
      ),
    },
    { title: 'Tag', field: 'tag' },
    {
      title: 'Commit',
      render: release =>
        slug ? (
          <Link to={commitUrl(slug, release.sha)}>{shortSha(release.sha)}</Link>
        ) : (
          shortSha(release.sha)
        ),
    },
    {
      title: 'Date',
      render: release =>
        release.date ? (
          <span title={absoluteTime(release.date)}>
            {relativeTime(release.date)}
          </span>
        ) : (
          '-'
        ),
    },
  ];
}

/** The releases of a component, newest first as the backend sends them. */
export function ReleasesTable(props: { releases: Release[]; slug?: string }) {
  const { releases, slug } = props;
  return (
    <Table<Release>
      title="Releases"
      options={{
        paging: releases.length > 10,
        pageSize: 10,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
      columns={columns(slug)}
      data={releases}
      emptyContent={<div style={{ padding: 16 }}>No release yet.</div>}
    />
  );
}
