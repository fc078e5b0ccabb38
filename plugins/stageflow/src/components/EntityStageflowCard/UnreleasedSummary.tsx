import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { UnreleasedResponse } from '@stageflow/plugin-stageflow-common';
import { commitUrl, plural, shortSha } from '../shared';

// The card stays short; the tab's comparison shows everything.
const SHOWN = 5;

function summary(unreleased: UnreleasedResponse): string {
  const { branch, commits, latestRelease, nextVersion, bump } = unreleased;
  const since = latestRelease
    ? ` since ${latestRelease.version}`
    : ', no release yet';
  if (commits.length === 0) {
    return `No commit on ${branch}${since}`;
  }
  const next =
    nextVersion && bump !== 'none'
      ? `: the next release would be ${nextVersion} (${bump})`
      : '';
  return `${plural(commits.length, 'commit')} on ${branch}${since}${next}`;
}

/** The commits on the release branch since the latest release. */
export function UnreleasedSummary(props: {
  unreleased: UnreleasedResponse;
  slug?: string;
}) {
  const { unreleased, slug } = props;
  const shown = unreleased.commits.slice(0, SHOWN);
  const more = unreleased.commits.length - shown.length;
  return (
    <Box component="section" aria-label="Unreleased" px={2} py={1}>
      <Typography variant="subtitle2" component="h3">
        Unreleased
      </Typography>
      <Typography variant="body2">{summary(unreleased)}</Typography>
      {shown.length > 0 && (
        <List dense disablePadding>
          {shown.map(commit => (
            <ListItem key={commit.sha} disableGutters>
              <ListItemText
                primary={commit.subject}
                secondary={
                  slug ? (
                    <Link to={commitUrl(slug, commit.sha)}>
                      {shortSha(commit.sha)}
                    </Link>
                  ) : (
                    shortSha(commit.sha)
                  )
                }
              />
            </ListItem>
          ))}
        </List>
      )}
      {more > 0 && (
        <Typography variant="caption" color="textSecondary">
          and {plural(more, 'more commit')}
        </Typography>
      )}
    </Box>
  );
}
