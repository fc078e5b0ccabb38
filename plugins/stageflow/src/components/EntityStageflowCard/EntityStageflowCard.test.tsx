import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { STAGEFLOW_SIGNAL_CHANNEL } from '@stageflow/plugin-stageflow-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StageflowApi, stageflowApiRef } from '../../api';
import { FakeSignalApi, mockStageflowApi, phippy, stages } from '../../testing';
import { EntityStageflowCard } from './EntityStageflowCard';

const allowAll = mockApis.permission();

function renderCard(
  api: StageflowApi,
  entity: Entity = phippy,
  card: JSX.Element = <EntityStageflowCard />,
  permissions = allowAll,
  signals?: FakeSignalApi,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [stageflowApiRef, api],
        [permissionApiRef, permissions],
        ...(signals ? [[signalApiRef, signals] as const] : []),
      ]}
    >
      <EntityProvider entity={entity}>{card}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('EntityStageflowCard', () => {
  it('shows a progress bar while the stages load', async () => {
    const api = mockStageflowApi({ getStages: () => new Promise(() => {}) });
    await renderCard(api);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('shows one row per stage in flow order', async () => {
    const api = mockStageflowApi();
    await renderCard(api);

    expect(await screen.findByText('Flow: oneflow')).toBeInTheDocument();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('staging')).toBeInTheDocument();
    expect(within(rows[1]).getByText('prod')).toBeInTheDocument();
    expect(api.getStages).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'phippy',
    });

    const prod = within(rows[1]);
    expect(prod.getByRole('link', { name: /^1\.2\.0/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/phippy/releases/tag/v1.2.0',
    );
    expect(prod.getByRole('link', { name: /^0123456/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/phippy/commit/0123456789abcdef0123456789abcdef01234567',
    );
    expect(prod.getByText('22222222')).toBeInTheDocument();
    expect(prod.getByText(/^built .+ ago$/)).toHaveAttribute(
      'title',
      expect.stringMatching(/^Image built .*2026/),
    );
    expect(
      prod.getByRole('button', { name: 'Copy digest of prod' }),
    ).toBeInTheDocument();
    expect(prod.getByText('ok')).toBeInTheDocument();
    expect(
      prod.getByRole('link', {
        name: '4 commits, 1 release behind staging',
      }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/phippy/stageflow?from=prod&to=staging',
    );

    const staging = within(rows[0]);
    expect(staging.getByText('drift')).toBeInTheDocument();
    expect(staging.getByText('abcdef1')).toBeInTheDocument();
  });

  it('shows how far behind a stage is without a link outside the catalog', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [stageflowApiRef, mockStageflowApi()],
          [permissionApiRef, allowAll],
        ]}
      >
        <EntityProvider entity={phippy}>
          <EntityStageflowCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('4 commits, 1 release behind staging'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /behind staging/ })).toBeNull();
  });

  it('says a stage is in sync when it is no commit behind', async () => {
    const api = mockStageflowApi({
      getStages: async () => ({
        ...stages,
        stages: stages.stages.map(s =>
          s.behind
            ? { ...s, behind: { ...s.behind, commits: 0, releases: 0 } }
            : s,
        ),
      }),
    });
    await renderCard(api);
    expect(await screen.findByText('in sync with staging')).toBeInTheDocument();
  });

  it('shows the status message on hover', async () => {
    await renderCard(mockStageflowApi());
    await userEvent.hover(await screen.findByText('drift'));
    expect(
      await screen.findByText('staging runs a commit that is not a release'),
    ).toBeInTheDocument();
  });

  it('shows versions and commits as plain text without a GitHub slug', async () => {
    const entity: Entity = {
      ...phippy,
      metadata: {
        ...phippy.metadata,
        annotations: {
          'stageflow.io/image': 'registry.acme.test/acme/phippy',
          'stageflow.io/git-url': 'https://git.acme.test/phippy.git',
        },
      },
    };
    await renderCard(mockStageflowApi(), entity);
    expect(await screen.findByText('1.2.0')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^1\.2\.0/ })).toBeNull();
    expect(screen.queryByRole('link', { name: /^0123456/ })).toBeNull();
  });

  it('shows a failing stage with its message next to the others', async () => {
    const api = mockStageflowApi({
      getStages: async () => ({
        ...stages,
        stages: [
          stages.stages[0],
          {
            name: 'prod',
            image: 'registry.acme.test/acme/phippy/stable:latest',
            status: 'error',
            message: 'registry answered 503',
          },
        ],
      }),
    });
    await renderCard(api);
    const rows = (await screen.findAllByRole('row')).slice(1);
    expect(within(rows[0]).getByText('drift')).toBeInTheDocument();
    expect(within(rows[1]).getByText('error')).toBeInTheDocument();
    expect(
      within(rows[1]).getByText('registry answered 503'),
    ).toBeInTheDocument();
  });

  it('links the actions to the scaffolder templates with the entity filled in', async () => {
    await renderCard(
      mockStageflowApi(),
      phippy,
      <EntityStageflowCard templates={{ promote: 'platform/promote-image' }} />,
    );
    const formData = encodeURIComponent(
      JSON.stringify({ entityRef: 'component:default/phippy' }),
    );
    expect(
      await screen.findByRole('button', { name: 'Start hotfix' }),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/start-hotfix?formData=${formData}`,
    );
    expect(screen.getByRole('button', { name: 'Tag release' })).toHaveAttribute(
      'href',
      `/create/templates/default/tag-release?formData=${formData}`,
    );
    expect(screen.getByRole('button', { name: 'Promote' })).toHaveAttribute(
      'href',
      `/create/templates/platform/promote-image?formData=${formData}`,
    );
  });

  it('disables, saying why, the actions the policy refuses', async () => {
    const permissions = mockApis.permission({
      authorize: request =>
        request.permission.name === 'stageflow.image.promote'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    // Another entity than the other tests': usePermission keeps decisions
    // per permission and resource for the whole test file.
    const refused = {
      ...phippy,
      metadata: { ...phippy.metadata, name: 'refused' },
    };
    await renderCard(mockStageflowApi(), refused, undefined, permissions);
    // A link while the decision loads, then a disabled button.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Promote' })).toBeDisabled(),
    );
    const promote = screen.getByRole('button', { name: 'Promote' });
    await userEvent.hover(promote.parentElement!);
    expect(
      await screen.findByText(
        'You may not do this on component:default/refused (permission stageflow.image.promote): members of the owning group may',
      ),
    ).toBeInTheDocument();
    // The others stay links to their templates.
    expect(screen.getByRole('button', { name: 'Tag release' })).toHaveAttribute(
      'href',
      expect.stringContaining('/create/templates/default/tag-release'),
    );
    expect(promote).not.toHaveAttribute('href');
  });

  it('shows an empty state when there is no stage', async () => {
    const api = mockStageflowApi({
      getStages: async () => ({ ...stages, stages: [] }),
    });
    await renderCard(api);
    expect(await screen.findByText('No stages yet')).toBeInTheDocument();
  });

  it('asks for the annotation when the entity has none', async () => {
    const api = mockStageflowApi();
    await renderCard(api, {
      ...phippy,
      metadata: { name: 'plain', namespace: 'default' },
    });
    expect(
      await screen.findByText('Missing Annotation', { exact: false }),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/stageflow\.io\/image/).length).toBeGreaterThan(
      0,
    );
    expect(api.getStages).not.toHaveBeenCalled();
  });

  it('shows the error of the API', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotFoundError', message: 'no such entity' },
        request: { method: 'GET', url: '/stages' },
        response: { statusCode: 404 },
      }),
      { status: 404, statusText: 'Not Found' },
    );
    const error = await ResponseError.fromResponse(response);
    const api = mockStageflowApi({
      getStages: async () => {
        throw error;
      },
    });
    await renderCard(api);
    expect(
      (await screen.findAllByText(/no such entity/)).length,
    ).toBeGreaterThan(0);
  });

  it('reads the stages again when a change of this entity is announced', async () => {
    const signals = new FakeSignalApi();
    let prodVersion = '1.2.0';
    const api = mockStageflowApi({
      getStages: async () => ({
        ...stages,
        stages: stages.stages.map(s =>
          s.name === 'prod' ? { ...s, version: prodVersion } : s,
        ),
      }),
    });
    const entity = {
      ...phippy,
      metadata: { ...phippy.metadata, name: 'signalled' },
    };
    await renderCard(api, entity, undefined, allowAll, signals);
    expect(await screen.findByText('1.2.0')).toBeInTheDocument();
    const reads = api.getStages.mock.calls.length;

    prodVersion = '1.3.0';
    act(() =>
      signals.publish(STAGEFLOW_SIGNAL_CHANNEL, {
        entityRef: 'component:default/another',
        kind: 'promotion',
      }),
    );
    expect(api.getStages).toHaveBeenCalledTimes(reads);

    act(() =>
      signals.publish(STAGEFLOW_SIGNAL_CHANNEL, {
        entityRef: 'component:default/signalled',
        kind: 'promotion',
        stage: 'prod',
        version: '1.3.0',
      }),
    );
    expect(await screen.findByText('1.3.0')).toBeInTheDocument();
    // The rows stay while the card reads again: no progress bar.
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('says when the stages are the last known state, and why', async () => {
    const asOf = new Date(Date.now() - 5 * 60_000).toISOString();
    const until = new Date(Date.now() + 30 * 60_000).toISOString();
    const api = mockStageflowApi({
      getStages: async () => ({
        ...stages,
        stale: { asOf, reason: 'GitHub github.com rate limited', until },
      }),
    });
    await renderCard(api);
    expect(await screen.findByRole('status')).toHaveTextContent(
      /^as of 5 minutes ago: GitHub github\.com rate limited until \d{1,2}:\d{2}/,
    );
    expect(screen.getByText('Flow: oneflow')).toBeInTheDocument();
  });

  it('shows the unreleased commits and the version they imply', async () => {
    await renderCard(mockStageflowApi());
    const section = await screen.findByRole('region', { name: 'Unreleased' });
    expect(
      within(section).getByText(
        '3 commits on develop since 1.2.0: the next release would be 1.3.0 (minor)',
      ),
    ).toBeInTheDocument();
    expect(within(section).getByText('feat: dark mode')).toBeInTheDocument();
    expect(
      within(section).getByRole('link', { name: /^bbbbbbb/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/phippy/commit/bbbbbbb222',
    );
  });

  it('offers to finish the open hotfix with its branch filled in', async () => {
    await renderCard(mockStageflowApi());
    const formData = encodeURIComponent(
      JSON.stringify({
        entityRef: 'component:default/phippy',
        branch: 'hotfix/menu',
      }),
    );
    expect(
      await screen.findByRole('button', { name: 'Finish hotfix' }),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/finish-hotfix?formData=${formData}`,
    );
  });

  it('shows neither unreleased commits nor Finish hotfix without those endpoints', async () => {
    const notFound = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotFoundError', message: 'no such route' },
          request: { method: 'GET', url: '/x' },
          response: { statusCode: 404 },
        }),
        { status: 404 },
      ),
    );
    const api = mockStageflowApi({
      getUnreleased: async () => {
        throw notFound;
      },
      getHotfixes: async () => {
        throw notFound;
      },
    });
    await renderCard(api);
    expect(await screen.findByText('Flow: oneflow')).toBeInTheDocument();
    await waitFor(() => expect(api.getHotfixes).toHaveBeenCalled());
    expect(screen.getByRole('button', { name: 'Start hotfix' })).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Finish hotfix' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Unreleased' })).toBeNull();
    expect(screen.queryByText(/no such route/)).toBeNull();
  });
});
