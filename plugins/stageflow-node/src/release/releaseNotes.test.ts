import { commitWebUrl, renderReleaseNotes } from './releaseNotes';

const sha = (n: number) => String(n).repeat(40).slice(0, 40);
const commits = [
  { sha: sha(6), message: "Merge branch 'feat/x' into dev" },
  { sha: sha(5), message: 'docs: explain [the theme](javascript:alert(1))' },
  { sha: sha(4), message: 'perf(db): faster reconcile' },
  { sha: sha(3), message: 'feat!: drop the v1 API\n\nBREAKING CHANGE: gone' },
  { sha: sha(2), message: 'fix: footer typo' },
  { sha: sha(1), message: 'feat(search): search by <b>tag</b>' },
];

describe('renderReleaseNotes', () => {
  it('groups commits by type with links to a GitHub host', () => {
    const notes = renderReleaseNotes({
      commits,
      locator: {
        type: 'github',
        host: 'github.acme.example',
        owner: 'acme',
        repo: 'phippy',
      },
    });
    const link = (n: number) =>
      `[${sha(n).slice(
        0,
        7,
      )}](https://github.acme.example/acme/phippy/commit/${sha(n)})`;
    expect(notes).toBe(
      [
        '### Breaking changes',
        '',
        `- drop the v1 API (${link(3)})`,
        '',
        '### Features',
        '',
        `- **search:** search by \\<b\\>tag\\</b\\> (${link(1)})`,
        '',
        '### Fixes',
        '',
        `- footer typo (${link(2)})`,
        `- **db:** faster reconcile (${link(4)})`,
        '',
        '### Others',
        '',
        `- docs: explain \\[the theme\\]\\(javascript:alert\\(1\\)\\) (${link(
          5,
        )})`,
      ].join('\n'),
    );
  });

  it('names commits without links on plain git hosts', () => {
    const notes = renderReleaseNotes({
      commits: [{ sha: sha(2), message: 'fix: footer typo' }],
      locator: { type: 'git', url: 'https://git.acme.example/acme/phippy.git' },
    });
    expect(notes).toBe(`### Fixes\n\n- footer typo (${sha(2).slice(0, 7)})`);
  });

  it('says so when a release brings no commits', () => {
    expect(
      renderReleaseNotes({
        commits: [],
        locator: { type: 'git', url: 'file:///x.git' },
        baseTag: 'v1.2.0',
      }),
    ).toBe('No changes since v1.2.0.');
  });
});

describe('commitWebUrl', () => {
  it('builds GitHub commit pages and nothing for plain git', () => {
    expect(
      commitWebUrl(
        { type: 'github', host: 'github.com', owner: 'acme', repo: 'goldie' },
        sha(1),
      ),
    ).toBe(`https://github.com/acme/goldie/commit/${sha(1)}`);
    expect(
      commitWebUrl({ type: 'git', url: 'ssh://git@x/y.git' }, sha(1)),
    ).toBe(undefined);
  });
});
