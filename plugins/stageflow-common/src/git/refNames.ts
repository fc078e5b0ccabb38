/**
 * The rule of git's `check-ref-format` that a ref name breaks.
 *
 * @public
 */
export type RefNameRule =
  | 'empty'
  | 'leading-dash'
  | 'component-starts-with-dot'
  | 'component-ends-with-lock'
  | 'double-dot'
  | 'control-character'
  | 'forbidden-character'
  | 'slash-position'
  | 'double-slash'
  | 'trailing-dot'
  | 'at-brace'
  | 'at-alone';

/**
 * Outcome of {@link validateRefName}.
 *
 * @public
 */
export type RefNameValidation =
  | { ok: true }
  | { ok: false; rule: RefNameRule; message: string };

const RULE_MESSAGES: Record<RefNameRule, string> = {
  empty: 'must not be empty',
  'leading-dash': "must not start with '-'",
  'component-starts-with-dot': "no path component may start with '.'",
  'component-ends-with-lock': "no path component may end with '.lock'",
  'double-dot': "must not contain '..'",
  'control-character': 'must not contain control characters or spaces',
  'forbidden-character': "must not contain any of '~^:?*[\\'",
  'slash-position': "must not start or end with '/'",
  'double-slash': "must not contain '//'",
  'trailing-dot': "must not end with '.'",
  'at-brace': "must not contain '@{'",
  'at-alone': "must not be '@'",
};

function fail(name: string, rule: RefNameRule): RefNameValidation {
  return {
    ok: false,
    rule,
    message: `Invalid ref name '${printable(name)}': ${
      RULE_MESSAGES[rule]
    } (${rule})`,
  };
}

// Control characters would otherwise end up verbatim in logs and responses.
function printable(name: string): string {
  return Array.from(name, char => {
    const code = char.charCodeAt(0);
    return code < 0x20 || code === 0x7f
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : char;
  }).join('');
}

/**
 * Checks a short branch or tag name (`hotfix/login`, `v1.2.3`) against the
 * rules of `git check-ref-format --allow-onelevel`, plus git's refusal of
 * branch names starting with `-` (which would also read as an option).
 *
 * Run it before any git command or HTTP call that carries the name.
 *
 * @public
 */
export function validateRefName(name: string): RefNameValidation {
  if (name.length === 0) {
    return fail(name, 'empty');
  }
  if (name === '@') {
    return fail(name, 'at-alone');
  }
  if (name.startsWith('-')) {
    return fail(name, 'leading-dash');
  }
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === ' ') {
      return fail(name, 'control-character');
    }
    if ('~^:?*[\\'.includes(char)) {
      return fail(name, 'forbidden-character');
    }
  }
  if (name.startsWith('/') || name.endsWith('/')) {
    return fail(name, 'slash-position');
  }
  if (name.includes('//')) {
    return fail(name, 'double-slash');
  }
  if (name.includes('..')) {
    return fail(name, 'double-dot');
  }
  if (name.includes('@{')) {
    return fail(name, 'at-brace');
  }
  if (name.endsWith('.')) {
    return fail(name, 'trailing-dot');
  }
  for (const component of name.split('/')) {
    if (component.startsWith('.')) {
      return fail(name, 'component-starts-with-dot');
    }
    if (component.endsWith('.lock')) {
      return fail(name, 'component-ends-with-lock');
    }
  }
  return { ok: true };
}
