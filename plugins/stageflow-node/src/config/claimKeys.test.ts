import { claimKeyOf, imageClaimKey, repositoryClaimKey } from './claimKeys';

describe('claim keys', () => {
  it.each([
    'https://git.acme.example/acme/phippy.git',
    'https://git.acme.example/acme/phippy',
    'https://user@Git.Acme.example/acme/Phippy.git/',
    'ssh://git@git.acme.example/acme/phippy.git',
    'git@git.acme.example:acme/phippy.git',
    'git.acme.example/acme/phippy',
  ])('spells %s as one repository', spelling => {
    expect(claimKeyOf(spelling)).toBe('git.acme.example/acme/phippy');
  });

  it('names GitHub repositories and images the same way', () => {
    expect(
      repositoryClaimKey({
        type: 'github',
        host: 'github.com',
        owner: 'Acme',
        repo: 'phippy',
      }),
    ).toBe('github.com/acme/phippy');
    expect(imageClaimKey('Registry.acme.example/acme/phippy')).toBe(
      'registry.acme.example/acme/phippy',
    );
  });

  it.each(['phippy', '', 'https://git.acme.example/', 'a//b'])(
    'finds no key in %p',
    text => {
      expect(claimKeyOf(text)).toBeUndefined();
    },
  );
});
