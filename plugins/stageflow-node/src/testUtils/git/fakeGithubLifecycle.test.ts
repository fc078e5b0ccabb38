import { startFakeGithubServer } from './fakeGithubServer';
import { git, makeTempDir } from './gitFixtures';
import { githubResponseErrors } from './__testUtils__/githubResponseErrors';
import { createLifecycleRepository } from './lifecycleFixtures';

jest.setTimeout(60_000);

/**
 * The fake GitHub's lifecycle endpoints answer as GitHub's OpenAPI
 * description says, for every status a client handles.
 */
describe('fake GitHub lifecycle endpoints conform to the OpenAPI description', () => {
  let cleanup: () => Promise<void>;
  let api: string;
  let shas: Awaited<ReturnType<typeof createLifecycleRepository>>['shas'];
  let repoPath: string;

  beforeAll(async () => {
    const temp = await makeTempDir('fake-github-lifecycle');
    const fixture = await createLifecycleRepository(temp.dir);
    shas = fixture.shas;
    repoPath = fixture.path;
    const server = await startFakeGithubServer({
      repositories: { 'acme/phippy': fixture.path },
    });
    api = `${server.apiBaseUrl}/repos/acme/phippy`;
    cleanup = async () => {
      await server.close();
      await temp.cleanup();
    };
  });

  afterAll(() => cleanup?.());

  async function call(
    method: string,
    template: string,
    path: string,
    body?: unknown,
  ) {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    expect({
      status: response.status,
      errors: githubResponseErrors(
        method,
        `/repos/{owner}/{repo}${template}`,
        response.status,
        json ?? text,
      ),
    }).toEqual({ status: response.status, errors: [] });
    return { status: response.status, json };
  }

  it('pulls: create, list, get, merge', async () => {
    const created = await call('POST', '/pulls', '/pulls', {
      title: 'chore: merge hotfix/login into develop',
      head: 'acme:hotfix/login',
      base: 'develop',
      body: 'notes',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      number: 1,
      state: 'open',
      mergeable: true,
      head: { ref: 'hotfix/login', sha: shas.login },
      base: { ref: 'develop', sha: shas.appLine },
    });
    const duplicate = await call('POST', '/pulls', '/pulls', {
      title: 'again',
      head: 'hotfix/login',
      base: 'develop',
    });
    expect(duplicate.status).toBe(422);

    const listed = await call(
      'GET',
      '/pulls',
      '/pulls?state=open&head=acme:hotfix/login&base=develop',
    );
    expect(listed.json.map((p: any) => p.number)).toEqual([1]);

    const conflicting = await call('POST', '/pulls', '/pulls', {
      title: 'conflict',
      head: 'hotfix/conflict',
      base: 'develop',
    });
    const read = await call(
      'GET',
      '/pulls/{pull_number}',
      `/pulls/${conflicting.json.number}`,
    );
    expect(read.json).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    const refused = await call(
      'PUT',
      '/pulls/{pull_number}/merge',
      `/pulls/${conflicting.json.number}/merge`,
      {},
    );
    expect(refused.status).toBe(405);

    const merged = await call(
      'PUT',
      '/pulls/{pull_number}/merge',
      '/pulls/1/merge',
      {
        sha: shas.login,
      },
    );
    expect(merged.json).toMatchObject({ merged: true });
    expect(await git(repoPath, ['rev-parse', 'develop'])).toBe(merged.json.sha);
    expect(
      (await call('GET', '/pulls/{pull_number}', '/pulls/1')).json,
    ).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: merged.json.sha,
    });
    expect(
      (await call('GET', '/pulls/{pull_number}', '/pulls/99')).status,
    ).toBe(404);
  });

  it('merges: merge commit, nothing to merge, conflict', async () => {
    const merged = await call('POST', '/merges', '/merges', {
      base: 'main',
      head: 'develop',
      commit_message: 'chore: release',
    });
    expect(merged.status).toBe(201);
    expect(merged.json.parents.map((p: any) => p.sha)).toEqual([
      shas.init,
      await git(repoPath, ['rev-parse', 'develop']),
    ]);
    expect(merged.json.commit.message).toBe('chore: release');
    const nothing = await call('POST', '/merges', '/merges', {
      base: 'main',
      head: 'develop',
    });
    expect(nothing.status).toBe(204);
    const conflict = await call('POST', '/merges', '/merges', {
      base: 'develop',
      head: 'hotfix/conflict',
    });
    expect(conflict.status).toBe(409);
    const missing = await call('POST', '/merges', '/merges', {
      base: 'nope',
      head: 'develop',
    });
    expect(missing.status).toBe(404);
  });

  it('releases: create and list, refusing a second release of a tag', async () => {
    const created = await call('POST', '/releases', '/releases', {
      tag_name: 'v1.0.1',
      name: 'v1.0.1',
      body: '### Fixes\n\n- login',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      tag_name: 'v1.0.1',
      body: '### Fixes\n\n- login',
      prerelease: false,
      draft: false,
    });
    expect(
      (await call('POST', '/releases', '/releases', { tag_name: 'v1.0.1' }))
        .status,
    ).toBe(422);
    const listed = await call('GET', '/releases', '/releases');
    expect(listed.json.map((r: any) => r.tag_name)).toEqual(['v1.0.1']);
  });

  it('git refs: delete a branch, refuse a missing one', async () => {
    const deleted = await call(
      'DELETE',
      '/git/refs/{ref}',
      '/git/refs/heads/hotfix/conflict',
    );
    expect(deleted.status).toBe(204);
    const missing = await call(
      'DELETE',
      '/git/refs/{ref}',
      '/git/refs/heads/hotfix/conflict',
    );
    expect(missing.status).toBe(422);
  });
});
