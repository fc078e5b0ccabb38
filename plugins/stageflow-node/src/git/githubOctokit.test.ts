import { addressesImmutable } from './githubOctokit';

const sha = '0123456789abcdef0123456789abcdef01234567';
const other = 'fedcba9876543210fedcba9876543210fedcba98';

describe('addressesImmutable', () => {
  it.each([
    `https://api.github.com/repos/acme/phippy/git/tags/${sha}`,
    `https://api.github.com/repos/acme/phippy/commits/${sha}`,
    `https://ghe.acme.example/api/v3/repos/acme/phippy/compare/${sha}...${other}?per_page=100`,
    `/repos/acme/phippy/git/commits/${sha}`,
  ])('%s names an object by its sha', url => {
    expect(addressesImmutable(url)).toBe(true);
  });

  it.each([
    'https://api.github.com/repos/acme/phippy/git/matching-refs/tags?per_page=100',
    'https://api.github.com/repos/acme/phippy/branches?per_page=100',
    'https://api.github.com/repos/acme/phippy/commits/develop',
    `https://api.github.com/repos/acme/phippy/compare/main...${sha}`,
    'https://api.github.com/repos/acme/phippy',
    // A ref that merely contains a sha is a name.
    `https://api.github.com/repos/acme/phippy/commits/release-${sha}`,
  ])('%s may change', url => {
    expect(addressesImmutable(url)).toBe(false);
  });
});
