import { readFileSync } from 'node:fs';

/**
 * GitHub's own OpenAPI description (`@octokit/openapi`, api.github.com),
 * read once: the fake GitHub shapes its bodies after the description's
 * examples, and tests validate against its schemas. A dev dependency: the
 * fake GitHub's lifecycle endpoints need it installed.
 */

let spec: any;

export function githubDescription(): any {
  spec ??= JSON.parse(
    readFileSync(
      require.resolve('@octokit/openapi/generated/api.github.com.json'),
      'utf8',
    ),
  );
  return spec;
}

/** A real response of GitHub's, from the description's examples, to shape fakes after. */
export function githubExample(name: string): any {
  const value = githubDescription().components.examples[name]?.value;
  if (value === undefined) {
    throw new Error(`GitHub's description has no example ${name}`);
  }
  return JSON.parse(JSON.stringify(value));
}
