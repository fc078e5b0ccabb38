import { validateRefName } from './refNames';

describe('validateRefName', () => {
  it.each([
    'main',
    'develop',
    'hotfix/login',
    'feat/JIRA-12_x',
    'v1.2.3',
    '1.2.0',
    'v1.0.0-rc.1+build.5',
    'a.b/c.d',
    'hotfix/@x',
    'release@2',
  ])('accepts %j', name => {
    expect(validateRefName(name)).toEqual({ ok: true });
  });

  it.each([
    ['', 'empty'],
    ['hotfix/../x', 'double-dot'],
    ['a..b', 'double-dot'],
    ['-x', 'leading-dash'],
    ['--upload-pack=evil', 'leading-dash'],
    ['a b', 'control-character'],
    ['a\tb', 'control-character'],
    ['a\nb', 'control-character'],
    ['a\u0000b', 'control-character'],
    ['a\u007fb', 'control-character'],
    ['x.lock', 'component-ends-with-lock'],
    ['hotfix/x.lock/y', 'component-ends-with-lock'],
    ['a@{b', 'at-brace'],
    ['x/', 'slash-position'],
    ['/x', 'slash-position'],
    ['x.', 'trailing-dot'],
    ['a~1', 'forbidden-character'],
    ['a^', 'forbidden-character'],
    ['a:b', 'forbidden-character'],
    ['a?', 'forbidden-character'],
    ['a*', 'forbidden-character'],
    ['a[b', 'forbidden-character'],
    ['a\\b', 'forbidden-character'],
    ['a//b', 'double-slash'],
    ['@', 'at-alone'],
    ['.hidden', 'component-starts-with-dot'],
    ['hotfix/.x', 'component-starts-with-dot'],
  ])('refuses %j (%s)', (name, rule) => {
    const result = validateRefName(name);
    expect(result).toMatchObject({ ok: false, rule });
    expect(result.ok === false && result.message).toContain(rule);
  });

  it('does not echo control characters', () => {
    const result = validateRefName('a\u001bb');
    expect(result.ok === false && result.message).toContain('a\\x1bb');
  });
});
