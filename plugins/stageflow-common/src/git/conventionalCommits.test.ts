import { computeBump, nextVersion, VersionBump } from './conventionalCommits';

describe('computeBump', () => {
  it.each<[string, Array<{ type?: string; breaking: boolean }>, VersionBump]>([
    ['nothing', [], 'none'],
    [
      'chores',
      [{ type: 'chore', breaking: false }, { breaking: false }],
      'none',
    ],
    ['a fix', [{ type: 'fix', breaking: false }], 'patch'],
    ['a perf', [{ type: 'perf', breaking: false }], 'patch'],
    [
      'a feat among fixes',
      [
        { type: 'fix', breaking: false },
        { type: 'feat', breaking: false },
      ],
      'minor',
    ],
    ['an upper-case FEAT', [{ type: 'FEAT', breaking: false }], 'minor'],
    [
      'a breaking chore',
      [
        { type: 'feat', breaking: false },
        { type: 'chore', breaking: true },
      ],
      'major',
    ],
  ])('%s', (_name, commits, bump) => {
    expect(computeBump(commits)).toBe(bump);
  });
});

describe('nextVersion', () => {
  it.each<[string | undefined, VersionBump, string]>([
    ['1.2.3', 'patch', '1.2.4'],
    ['1.2.3', 'minor', '1.3.0'],
    ['1.2.3', 'major', '2.0.0'],
    ['1.2.3', 'none', '1.2.3'],
    ['2.0.0-rc.1', 'major', '2.0.0'],
    ['1.2.3-rc.1', 'patch', '1.2.3'],
    [undefined, 'minor', '0.1.0'],
    [undefined, 'none', '0.0.0'],
  ])('%s + %s = %s', (current, bump, next) => {
    expect(nextVersion(current, bump)).toBe(next);
  });

  it('refuses a current version that is not SemVer', () => {
    expect(() => nextVersion('latest', 'patch')).toThrow(/not a SemVer/);
  });
});
