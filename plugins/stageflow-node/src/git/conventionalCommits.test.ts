import {
  bumpFromCommitMessages,
  parseConventionalCommit,
} from './conventionalCommits';

describe('parseConventionalCommit', () => {
  it.each([
    [
      'feat: add login',
      { type: 'feat', breaking: false, subject: 'add login' },
    ],
    ['fix(api): null check', { type: 'fix', scope: 'api', breaking: false }],
    ['feat(api)!: drop v1', { type: 'feat', scope: 'api', breaking: true }],
    ['chore!: drop node 16', { type: 'chore', breaking: true }],
    [
      'refactor: rename\n\nBREAKING CHANGE: the option is gone',
      { type: 'refactor', breaking: true },
    ],
    ['Merge branch x', { breaking: false }],
  ])('%j', (message, expected) => {
    expect(parseConventionalCommit(message)).toMatchObject(expected);
  });
});

describe('bumpFromCommitMessages', () => {
  it.each([
    [['docs: readme', 'chore: deps'], 'none'],
    [['fix: a', 'docs: b'], 'patch'],
    [['perf: faster'], 'patch'],
    [['fix: a', 'feat: b'], 'minor'],
    [['feat: b', 'fix!: c'], 'major'],
    [['feat: b', 'fix: c\n\nBREAKING CHANGE: d'], 'major'],
    [[], 'none'],
  ])('%j -> %s', (messages, bump) => {
    expect(bumpFromCommitMessages(messages)).toBe(bump);
  });
});
