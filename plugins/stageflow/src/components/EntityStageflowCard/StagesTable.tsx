import {
  CopyTextButton,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { StageInfo } from '@stageflow/plugin-stageflow-common';
import { useMemo } from 'react';
import {
  StageStatusChip,
  absoluteTime,
  commitUrl,
  plural,
  relativeTime,
  releaseUrl,
  shortDigest,
  shortSha,
} from '../shared';

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
 * One row per stage in flow order; "behind" links to the comparison when
 * `compareUrl` is given.
 */
export function StagesTable(props: {
  stages: StageInfo[];
  slug?: string;
  compareUrl?: (from: string, to: string) => string;
}) {
  const { stages, slug, compareUrl } = props;
  const tableColumns = useMemo(
    () => columns({ slug, compareUrl }),
    [slug, compareUrl],
  );
  return (
    <Table<StageInfo>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        sorting: false,
        padding: 'dense',
      }}
      columns={tableColumns}
      data={stages}
    />
  );
}
