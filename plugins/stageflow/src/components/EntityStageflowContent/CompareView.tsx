import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  CompareCommit,
  CompareResponse,
} from '@stageflow/plugin-stageflow-common';
import { useSearchParams } from 'react-router-dom';
import { useCompare } from '../../hooks';
import { shortSha } from '../shared';

const GROUP_TITLES: Record<string, string> = {
  feat: 'Features',
  fix: 'Bug fixes',
  perf: 'Performance',
  refactor: 'Refactoring',
  revert: 'Reverts',
  docs: 'Documentation',
  test: 'Tests',
  build: 'Build',
  ci: 'Continuous integration',
  chore: 'Chores',
  style: 'Style',
  other: 'Other changes',
};
const GROUP_ORDER = Object.keys(GROUP_TITLES);

function groupRank(type: string): number {
  const index = GROUP_ORDER.indexOf(type);
  // Unknown types go after the known ones, `other` always last.
  if (type === 'other') return GROUP_ORDER.length + 1;
  return index === -1 ? GROUP_ORDER.length : index;
}

function CommitGroups(props: { compare: CompareResponse }) {
  const { compare } = props;
  const types = Object.keys(compare.groups)
    .filter(type => compare.groups[type].length > 0)
    .sort((a, b) => groupRank(a) - groupRank(b) || a.localeCompare(b));
  return (
    <>
      {types.map(type => (
        <section key={type} aria-label={GROUP_TITLES[type] ?? type}>
          <Typography variant="h6" component="h3">
            {GROUP_TITLES[type] ?? type} ({compare.groups[type].length})
          </Typography>
          <List dense>
            {compare.groups[type].map((commit: CompareCommit) => (
              <ListItem key={commit.sha}>
                <ListItemText
                  primary={
                    <>
                      {commit.subject}
                      {commit.breaking && (
                        <Chip
                          size="small"
                          color="secondary"
                          label="breaking"
                          style={{ marginLeft: 8 }}
                        />
                      )}
                    </>
                  }
                  secondary={[shortSha(commit.sha), commit.author]
                    .filter(Boolean)
                    .join(' · ')}
                />
              </ListItem>
            ))}
          </List>
        </section>
      ))}
    </>
  );
}

function CompareResult(props: { entity: Entity; from: string; to: string }) {
  const { entity, from, to } = props;
  const { value, loading, error } = useCompare(entity, { from, to });
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  if (value.commits.length === 0) {
    return (
      <Typography>
        No commit in {to} that is not in {from}.
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="subtitle1" component="p" gutterBottom>
        {`${value.commits.length} commits in ${to} that are not in ${from}. `}
        {value.bump === 'none'
          ? 'They imply no release.'
          : `They imply a ${value.bump} bump${
              value.nextVersion ? ` to ${value.nextVersion}` : ''
            }.`}
      </Typography>
      <CommitGroups compare={value} />
    </>
  );
}

/**
 * Compares two points of the component (stages or release tags); the choice
 * lives in the URL (`?from=&to=`) so that links can open a comparison.
 */
export function CompareView(props: {
  entity: Entity;
  stages: string[];
  tags: string[];
}) {
  const { entity, stages, tags } = props;
  const [searchParams, setSearchParams] = useSearchParams();
  const from =
    searchParams.get('from') ??
    (stages.length > 1 ? stages[stages.length - 1] : '');
  const to = searchParams.get('to') ?? (stages.length > 1 ? stages[0] : '');

  const choose = (key: 'from' | 'to', value: string) => {
    const next = new URLSearchParams(searchParams);
    next.set('from', from);
    next.set('to', to);
    next.set(key, value);
    setSearchParams(next, { replace: true });
  };

  // A point given in the URL that is neither a stage nor a tag (a sha) is
  // still offered, so that the select shows what is compared.
  const extra = [from, to].filter(
    point => point && !stages.includes(point) && !tags.includes(point),
  );
  const options = (
    <>
      <option value="" disabled>
        Choose…
      </option>
      {stages.length > 0 && (
        <optgroup label="Stages">
          {stages.map(stage => (
            <option key={`stage-${stage}`} value={stage}>
              {stage}
            </option>
          ))}
        </optgroup>
      )}
      {tags.length > 0 && (
        <optgroup label="Releases">
          {tags.map(tag => (
            <option key={`tag-${tag}`} value={tag}>
              {tag}
            </option>
          ))}
        </optgroup>
      )}
      {extra.map(point => (
        <option key={`extra-${point}`} value={point}>
          {point}
        </option>
      ))}
    </>
  );

  return (
    <InfoCard title="Compare">
      <Box display="flex" style={{ gap: 16 }} mb={2}>
        <TextField
          select
          label="From"
          id="stageflow-compare-from"
          value={from}
          onChange={e => choose('from', e.target.value)}
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
        >
          {options}
        </TextField>
        <TextField
          select
          label="To"
          id="stageflow-compare-to"
          value={to}
          onChange={e => choose('to', e.target.value)}
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
        >
          {options}
        </TextField>
      </Box>
      {from && to && from !== to ? (
        <CompareResult entity={entity} from={from} to={to} />
      ) : (
        <Typography color="textSecondary">
          Choose two different stages or releases.
        </Typography>
      )}
    </InfoCard>
  );
}
