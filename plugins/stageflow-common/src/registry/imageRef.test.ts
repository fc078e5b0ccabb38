import {
  formatImageReference,
  ImageReference,
  isValidDigest,
  parseImageReference,
} from './imageRef';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each<[string, ImageReference]>([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    [
      'nginx:1.27',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' },
    ],
    ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    [
      'index.docker.io/acme/phippy:v1',
      { registry: 'docker.io', repository: 'acme/phippy', tag: 'v1' },
    ],
    ['acme/phippy', { registry: 'docker.io', repository: 'acme/phippy' }],
    [
      'ghcr.io/acme/phippy/stable:latest',
      { registry: 'ghcr.io', repository: 'acme/phippy/stable', tag: 'latest' },
    ],
    ['localhost/phippy', { registry: 'localhost', repository: 'phippy' }],
    [
      'localhost:5000/phippy:v1.2.3',
      { registry: 'localhost:5000', repository: 'phippy', tag: 'v1.2.3' },
    ],
    ['127.0.0.1:5000/a/b', { registry: '127.0.0.1:5000', repository: 'a/b' }],
    ['registry:5000/a', { registry: 'registry:5000', repository: 'a' }],
    ['[::1]:5000/a:t', { registry: '[::1]:5000', repository: 'a', tag: 't' }],
    [
      `quay.io/acme/phippy@${D}`,
      { registry: 'quay.io', repository: 'acme/phippy', digest: D },
    ],
    [
      `quay.io/acme/phippy:v1@${D}`,
      { registry: 'quay.io', repository: 'acme/phippy', tag: 'v1', digest: D },
    ],
    [
      'europe-docker.pkg.dev/p/r/my_app__x.y-z:Tag_1.0-rc',
      {
        registry: 'europe-docker.pkg.dev',
        repository: 'p/r/my_app__x.y-z',
        tag: 'Tag_1.0-rc',
      },
    ],
    [
      `a:${'t'.repeat(128)}`,
      { registry: 'docker.io', repository: 'library/a', tag: 't'.repeat(128) },
    ],
  ])('parses %s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    [' nginx', /whitespace/],
    ['ghcr.io/Acme/phippy', /must be lowercase/],
    ['ghcr.io/acme/phippy:', /tag after ":" is empty/],
    ['ghcr.io/acme/phippy:v1+build', /tag "v1\+build" may only contain/],
    ['ghcr.io/acme/phippy:.hidden', /may not start with "\."/],
    [
      `ghcr.io/acme/phippy:${'t'.repeat(129)}`,
      /129 characters long, at most 128/,
    ],
    ['ghcr.io/acme/phippy@sha256:abc', /64 lowercase hex/],
    [`ghcr.io/acme/phippy@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [
      `ghcr.io/acme/phippy@md5:${'a'.repeat(32)}`,
      /algorithm "md5" is not supported/,
    ],
    ['ghcr.io/acme/phippy@latest', /must be <algorithm>:<hex>/],
    ['ghcr.io/', /repository name is missing/],
    ['ghcr.io/acme//phippy', /empty path component/],
    ['ghcr.io/acme/-phippy', /path component "-phippy"/],
    ['ghcr.io/acme/ph..ippy', /path component "ph..ippy"/],
    ['localhost:port/a', /port "port"/],
    ['bad_host.io/a', /not a valid host name/],
    [`ghcr.io/${'a'.repeat(256)}`, /longer than 255/],
  ])('refuses %j naming what is wrong', (input, message) => {
    expect(() => parseImageReference(input)).toThrow(message);
  });

  it('throws an error the Backstage error middleware maps to 400', () => {
    expect(() => parseImageReference('A')).toThrow(
      expect.objectContaining({ name: 'InputError', reference: 'A' }),
    );
  });
});

describe('formatImageReference', () => {
  it.each([
    'docker.io/library/nginx',
    'localhost:5000/phippy:v1.2.3',
    `quay.io/acme/phippy:v1@${D}`,
    `quay.io/acme/phippy@${D}`,
  ])('round-trips %s', input => {
    expect(formatImageReference(parseImageReference(input))).toBe(input);
  });

  it('writes the normalised Docker Hub form', () => {
    expect(formatImageReference(parseImageReference('nginx:1'))).toBe(
      'docker.io/library/nginx:1',
    );
  });
});

describe('isValidDigest', () => {
  it('accepts sha256 and sha512 hex digests only', () => {
    expect(isValidDigest(D)).toBe(true);
    expect(isValidDigest(`sha512:${'0'.repeat(128)}`)).toBe(true);
    expect(isValidDigest('sha256:00')).toBe(false);
  });
});
