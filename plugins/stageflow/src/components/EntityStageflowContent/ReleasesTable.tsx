import {
  Link,
  MarkdownContent,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { Release, StaleMark } from '@stageflow/plugin-stageflow-common';
import {
  absoluteTime,
  commitUrl,
  releaseUrl,
  relativeTime,
  shortSha,
  staleText,
} from '../shared';

// Notes can be long: folded under their row until the user opens them.
function ReleaseNotes(props: { release: Release }) {
  const { release } = props;
  if (!release.notes) return <>-</>;
  return (
    <details aria-label={`Notes of ${release.version}`}>
      <summary style={{ cursor: 'pointer' }}>Notes</summary>
      <MarkdownContent content={release.notes} dialect="gfm" />
    </details>
  );
}

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
    { title: 'Notes', render: release => <ReleaseNotes release={release} /> },
  ];
}

/**
 * The releases of a component, newest first as the backend sends them, with
 * their notes; says when the list is the last known one.
 */
export function ReleasesTable(props: {
  releases: Release[];
  slug?: string;
  stale?: StaleMark;
}) {
  const { releases, slug, stale } = props;
  return (
    <Table<Release>
      title="Releases"
      subtitle={stale ? staleText(stale) : undefined}
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
