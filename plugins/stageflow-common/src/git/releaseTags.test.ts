import {
  formatReleaseTag,
  GITFLOW_RELEASE_TAG_PATTERN,
  isValidReleaseTagPattern,
  ONEFLOW_RELEASE_TAG_PATTERN,
  parseReleaseTag,
  releasesFromTags,
  sortReleases,
} from './releaseTags';

describe('parseReleaseTag', () => {
  it.each([
    ['v1.2.3', ONEFLOW_RELEASE_TAG_PATTERN, '1.2.3'],
    ['v1.2.3-rc.1', ONEFLOW_RELEASE_TAG_PATTERN, '1.2.3-rc.1'],
    ['v1.2.3+build.7', ONEFLOW_RELEASE_TAG_PATTERN, '1.2.3'],
    [
      'v1.0.0-alpha.beta+exp.sha.5114f85',
      ONEFLOW_RELEASE_TAG_PATTERN,
      '1.0.0-alpha.beta',
    ],
    ['1.2.0', GITFLOW_RELEASE_TAG_PATTERN, '1.2.0'],
    ['release/2.0.0', 'release/{version}', '2.0.0'],
    ['app-3.1.4-final', 'app-{version}-final', '3.1.4'],
  ])('reads %s with %s', (tag, pattern, version) => {
    expect(parseReleaseTag(tag, pattern)?.version).toBe(version);
  });

  it('keeps build metadata', () => {
    expect(parseReleaseTag('v1.2.3+build.7', 'v{version}')?.build).toEqual([
      'build',
      '7',
    ]);
  });

  it.each([
    ['1.2.3', ONEFLOW_RELEASE_TAG_PATTERN],
    ['v1.2.3', GITFLOW_RELEASE_TAG_PATTERN],
    ['=1.2.3', GITFLOW_RELEASE_TAG_PATTERN],
    [' 1.2.3', GITFLOW_RELEASE_TAG_PATTERN],
    ['v1.2', ONEFLOW_RELEASE_TAG_PATTERN],
    ['v01.2.3', ONEFLOW_RELEASE_TAG_PATTERN],
    ['v1.2.3-', ONEFLOW_RELEASE_TAG_PATTERN],
    ['v1.2.3-01', ONEFLOW_RELEASE_TAG_PATTERN],
    ['latest', ONEFLOW_RELEASE_TAG_PATTERN],
    ['v', ONEFLOW_RELEASE_TAG_PATTERN],
    ['app-3.1.4', 'app-{version}-final'],
  ])('ignores %s with %s', (tag, pattern) => {
    expect(parseReleaseTag(tag, pattern)).toBeUndefined();
  });

  it.each(['v1', '{version}{version}', ''])(
    'refuses the pattern %j',
    pattern => {
      expect(isValidReleaseTagPattern(pattern)).toBe(false);
      expect(() => parseReleaseTag('1.0.0', pattern)).toThrow(/exactly once/);
    },
  );

  it('formats tags', () => {
    expect(formatReleaseTag('1.3.0', ONEFLOW_RELEASE_TAG_PATTERN)).toBe(
      'v1.3.0',
    );
    expect(formatReleaseTag('1.3.0', GITFLOW_RELEASE_TAG_PATTERN)).toBe(
      '1.3.0',
    );
  });
});

describe('sortReleases', () => {
  it('puts the newest SemVer precedence first', () => {
    const versions = [
      '1.0.0-alpha',
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '0.9.10',
      '0.9.9',
      '1.0.0-alpha.1',
      '10.0.0',
      '2.0.0',
    ];
    expect(
      sortReleases(versions.map(version => ({ version }))).map(r => r.version),
    ).toEqual([
      '10.0.0',
      '2.0.0',
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.0.0-alpha.1',
      '1.0.0-alpha',
      '0.9.10',
      '0.9.9',
    ]);
  });
});

describe('releasesFromTags', () => {
  it('keeps matching tags, newest first, with prerelease flags', () => {
    const releases = releasesFromTags(
      [
        { name: 'v1.0.0', sha: 'a', date: '2024-01-01T00:00:00Z' },
        { name: 'v1.1.0-rc.1', sha: 'b' },
        { name: 'nightly', sha: 'c' },
        { name: '1.5.0', sha: 'd' },
        { name: 'v1.1.0', sha: 'e' },
      ],
      ONEFLOW_RELEASE_TAG_PATTERN,
    );
    expect(releases).toEqual([
      { tag: 'v1.1.0', version: '1.1.0', sha: 'e', prerelease: false },
      { tag: 'v1.1.0-rc.1', version: '1.1.0-rc.1', sha: 'b', prerelease: true },
      {
        tag: 'v1.0.0',
        version: '1.0.0',
        sha: 'a',
        date: '2024-01-01T00:00:00Z',
        prerelease: false,
      },
    ]);
  });

  it("takes an annotated tag's message as the release's notes", () => {
    const releases = releasesFromTags(
      [
        { name: 'v1.0.0', sha: 'a', message: '### Fixes\n\n- a typo\n' },
        { name: 'v1.1.0', sha: 'b', message: '  ' },
      ],
      ONEFLOW_RELEASE_TAG_PATTERN,
    );
    expect(releases).toEqual([
      { tag: 'v1.1.0', version: '1.1.0', sha: 'b', prerelease: false },
      {
        tag: 'v1.0.0',
        version: '1.0.0',
        sha: 'a',
        prerelease: false,
        notes: '### Fixes\n\n- a typo',
      },
    ]);
  });
});
