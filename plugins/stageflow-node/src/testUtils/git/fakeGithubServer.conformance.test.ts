import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createGithubOctokit } from '../../git/githubOctokit';
import { GithubGitClient } from '../../git/GithubGitClient';
import { bumpFromCommitMessages } from '../../git/conventionalCommits';
import { UpstreamPolicy } from '../../resilience/UpstreamPolicy';
import { DEFAULT_RESILIENCE } from '../../resilience/readResilienceConfig';
import { createDemoRepository, git, makeTempDir } from './gitFixtures';
import { FakeGithubRequest, startFakeGithubServer } from './fakeGithubServer';

jest.setTimeout(120_000);

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: a `null` type beside the given
 * one, or a `null` alternative where there is no type (`allOf`, `$ref`).
 */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) {
    return node.map(toJsonSchema);
  }
  if (!node || typeof node !== 'object') {
    return node;
  }
  const { nullable, ...rest } = node;
  const converted: any = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, toJsonSchema(value)]),
  );
  if (nullable !== true) {
    return converted;
  }
  if (typeof converted.type === 'string') {
    return {
      ...converted,
      type: [converted.type, 'null'],
      ...(converted.enum ? { enum: [...converted.enum, null] } : {}),
    };
  }
  return { anyOf: [converted, { type: 'null' }] };
}

// GitHub's official description of api.github.com.
const description = toJsonSchema(
  JSON.parse(
    readFileSync(
      join(
        require.resolve('@octokit/openapi/package.json'),
        '..',
        'generated',
        'api.github.com.json',
      ),
      'utf8',
    ),
  ),
);

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: description.components }, 'github');

const validators = new Map<string, ValidateFunction>();

/** Follows `#/components/...` refs of the description. */
function deref(node: any): any {
  let current = node;
  while (current?.$ref) {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: any, key: string) => at[key], description);
  }
  return current;
}

/**
 * The schema of an answer: the operation's own for a status it documents;
 * for a status GitHub sends on any operation without listing it (401, rate
 * limits' 403 and 429) GitHub's documented error body.
 */
function validatorFor(operation: string, status: number): ValidateFunction {
  const key = `${operation} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const [method, path] = operation.split(' ');
    const spec = description.paths[path]?.[method.toLowerCase()];
    if (!spec) {
      throw new Error(`${operation} is not in GitHub's description`);
    }
    const documented = deref(spec.responses[String(status)]);
    if (!documented && ![401, 403, 429].includes(status)) {
      throw new Error(`${operation} does not answer ${status} on GitHub`);
    }
    const schema = documented
      ? documented.content?.['application/json']?.schema
      : { $ref: '#/components/schemas/basic-error' };
    validate = ajv.compile(rewriteRefs(schema));
    validators.set(key, validate);
  }
  return validate;
}

function rewriteRefs(node: any): any {
  if (Array.isArray(node)) {
    return node.map(rewriteRefs);
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) =>
        k === '$ref' && typeof v === 'string'
          ? [k, `github${v}`]
          : [k, rewriteRefs(v)],
      ),
    );
  }
  return node;
}

async function createLongHistory(root: string, commits: number) {
  const path = join(root, 'long.git');
  await git(root, ['init', '--quiet', '--bare', '-b', 'main', path]);
  const parts: string[] = [];
  for (let mark = 1; mark <= commits; mark++) {
    // The one feature is the oldest commit after the release.
    const message = `${mark === 2 ? 'feat' : 'fix'}: change ${mark}`;
    parts.push(
      [
        'commit refs/heads/main',
        `mark :${mark}`,
        `committer Ada <ada@example.com> ${1700000000 + mark} +0000`,
        `data ${message.length}`,
        message,
        ...(mark > 1 ? [`from :${mark - 1}`] : []),
        '',
      ].join('\n'),
    );
  }
  parts.push('reset refs/tags/v1.0.0', 'from :1', '', 'done', '');
  await git(path, ['fast-import', '--quiet', '--done'], parts.join('\n'));
  return path;
}

describe('the fake GitHub server', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: Awaited<ReturnType<typeof startFakeGithubServer>>;
  let demo: Awaited<ReturnType<typeof createDemoRepository>>;

  beforeAll(async () => {
    temp = await makeTempDir('github-conformance');
    demo = await createDemoRepository(temp.dir);
    const empty = join(temp.dir, 'empty.git');
    await git(temp.dir, ['init', '--quiet', '--bare', '-b', 'main', empty]);
    server = await startFakeGithubServer({
      repositories: {
        'acme/demo': demo.path,
        'acme/empty': empty,
        'acme/long': await createLongHistory(temp.dir, 300),
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await temp.cleanup();
  });

  const client = (repo: string) => {
    const octokit = createGithubOctokit({
      apiBaseUrl: server.apiBaseUrl,
      policy: new UpstreamPolicy({
        kind: 'git',
        host: 'ghe.example.com',
        // Rate-limit answers are looked at once here, not waited out.
        options: { ...DEFAULT_RESILIENCE, retries: 0 },
      }),
    });
    return {
      octokit,
      repository: new GithubGitClient({
        host: 'ghe.example.com',
        owner: 'acme',
        repo,
        octokit,
      }),
    };
  };

  it('answers matching-refs with every ref at once, ignoring per_page and page', async () => {
    const { octokit } = client('demo');
    const all = await octokit.request(
      'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
      { owner: 'acme', repo: 'demo', ref: 'tags', per_page: 2, page: 2 },
    );
    expect(all.data.map(ref => ref.ref)).toEqual(
      expect.arrayContaining(['refs/tags/v1.0.0', 'refs/tags/v1.10.0']),
    );
    expect(all.data).toHaveLength(7);
    expect(all.headers.link).toBeUndefined();
  });

  it('matches git/ref exactly', async () => {
    const { octokit } = client('demo');
    await expect(
      octokit.rest.git.getRef({ owner: 'acme', repo: 'demo', ref: 'tags/v1' }),
    ).rejects.toMatchObject({ status: 404 });
    const exact = await octokit.rest.git.getRef({
      owner: 'acme',
      repo: 'demo',
      ref: 'tags/v1.1.0',
    });
    expect(exact.data.ref).toBe('refs/tags/v1.1.0');
    expect(exact.data.object.type).toBe('tag');
  });

  it('answers 409 "Git Repository is empty." for an empty repository, which the client reads as no tags and an unknown commit', async () => {
    const { repository } = client('empty');
    await expect(repository.listTags()).resolves.toEqual([]);
    await expect(repository.resolveCommit('main')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(
      server.requests
        .filter(r => r.path.includes('/acme/empty/'))
        .map(r => [r.status, (r.body as { message?: string }).message]),
    ).toEqual([
      [409, 'Git Repository is empty.'],
      [409, 'Git Repository is empty.'],
    ]);
  });

  it('caps an unpaged compare at the 250 newest commits; the client pages and sees all 300', async () => {
    const { octokit, repository } = client('long');
    const unpaged = await octokit.request(
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      { owner: 'acme', repo: 'long', basehead: 'v1.0.0...main' },
    );
    expect(unpaged.data.ahead_by).toBe(299);
    expect(unpaged.data.commits).toHaveLength(250);
    expect(unpaged.data.commits[249].commit.message).toBe('fix: change 300');
    expect(unpaged.data.commits[0].commit.message).toBe('fix: change 51');

    const before = server.requests.length;
    const comparison = await repository.compare('v1.0.0', 'main');
    expect(comparison.aheadBy).toBe(299);
    // Every commit between the releases reaches the version bump: 3 pages
    // of 100. Unpaged, the feature (the oldest) would be lost and the bump
    // would be a patch.
    expect(comparison.commits).toHaveLength(299);
    expect(comparison.commits[298].message).toBe('feat: change 2');
    expect(server.requests.length - before).toBe(3);
    expect(bumpFromCommitMessages(comparison.commits.map(c => c.message))).toBe(
      'minor',
    );
    expect(
      bumpFromCommitMessages(unpaged.data.commits.map(c => c.commit.message)),
    ).toBe('patch');
  });

  it('answers rate limits as GitHub does: primary 403, secondary 403, 429', async () => {
    const resetAt = new Date(Date.now() + 3600_000);
    for (const limit of [
      { mode: 'primary', resetAt },
      { mode: 'secondary', retryAfterSeconds: 30 },
      { mode: '429', retryAfterSeconds: 30 },
    ] as const) {
      server.setRateLimit(limit);
      const { repository } = client('demo');
      await expect(repository.getDefaultBranch()).rejects.toMatchObject({
        rateLimited: true,
      });
    }
    server.setRateLimit(undefined);
    const limited = server.requests.slice(-3);
    expect(limited.map(r => r.status)).toEqual([403, 403, 429]);
  });

  it('gives answers that conform to GitHub’s OpenAPI description, for every operation the client uses', async () => {
    const { repository } = client('demo');
    await repository.getDefaultBranch();
    await repository.listTags();
    await repository.listBranches();
    await repository.resolveCommit('main');
    await repository.resolveCommit('no-such-ref').catch(() => undefined);
    await repository.compare('v1.0.0', 'develop');
    await repository.newestAncestor(demo.commits[3], [
      demo.commits[5],
      demo.commits[2],
    ]);
    await repository.createBranch('hotfix/conformance', demo.commits[3]);
    await repository
      .createBranch('hotfix/conformance', demo.commits[3])
      .catch(() => undefined);
    await repository.createTag({
      name: 'v9.9.9',
      sha: demo.commits[3],
      message: 'Release 9.9.9',
    });
    await repository
      .createTag({ name: 'v9.9.9', sha: demo.commits[3], message: 'again' })
      .catch(() => undefined);
    // GitOps pins: read, create, update, propose.
    await repository.readFile('main', 'values.yaml');
    const created = await repository.commitFile({
      branch: 'main',
      parent: (await repository.resolveCommit('main')).sha,
      path: 'values.yaml',
      content: 'image:\n  tag: "1.0.0"\n',
      message: 'chore: pin 1.0.0',
    });
    await repository.readFile('main', 'values.yaml');
    await repository.commitFile({
      branch: 'stageflow/promote',
      parent: created.sha,
      createBranch: true,
      path: 'values.yaml',
      content: 'image:\n  tag: "1.1.0"\n',
      message: 'chore: pin 1.1.0',
    });
    const pull = {
      head: 'stageflow/promote',
      base: 'main',
      title: 'Promote 1.1.0',
      body: 'What moves',
    };
    await repository.openPullRequest(pull);
    await repository.openPullRequest(pull).catch(() => undefined);

    const answered = server.requests.filter(
      (r): r is FakeGithubRequest & { operation: string } =>
        r.operation !== undefined && r.status !== 304,
    );
    const operations = new Set(answered.map(r => r.operation));
    expect([...operations].sort()).toEqual([
      'GET /repos/{owner}/{repo}',
      'GET /repos/{owner}/{repo}/branches',
      'GET /repos/{owner}/{repo}/commits/{ref}',
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
      'GET /repos/{owner}/{repo}/git/ref/{ref}',
      'GET /repos/{owner}/{repo}/git/tags/{tag_sha}',
      'POST /repos/{owner}/{repo}/git/refs',
      'POST /repos/{owner}/{repo}/git/tags',
      'POST /repos/{owner}/{repo}/pulls',
      'PUT /repos/{owner}/{repo}/contents/{path}',
    ]);
    const statuses = new Set(answered.map(r => r.status));
    expect([...statuses].sort()).toEqual([200, 201, 403, 404, 409, 422, 429]);

    const failures = answered.flatMap(request => {
      const validate = validatorFor(request.operation, request.status);
      return validate(request.body)
        ? []
        : [
            `${request.method} ${request.path} ${
              request.status
            }: ${ajv.errorsText(validate.errors)}`,
          ];
    });
    expect(failures).toEqual([]);
  });
});
