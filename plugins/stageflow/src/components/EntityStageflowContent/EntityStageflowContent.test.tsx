import { ResponseError } from '@backstage/errors';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { STAGEFLOW_SIGNAL_CHANNEL } from '@stageflow/plugin-stageflow-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StageflowApi, stageflowApiRef } from '../../api';
import {
  FakeSignalApi,
  history,
  mockStageflowApi,
  phippy,
  releases,
} from '../../testing';
import { EntityStageflowContent } from './EntityStageflowContent';

function renderContent(
  api: StageflowApi,
  route = '/',
  signals?: FakeSignalApi,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [stageflowApiRef, api],
        ...(signals ? [[signalApiRef, signals] as const] : []),
      ]}
    >
      <EntityProvider entity={phippy}>
        <EntityStageflowContent />
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [route] },
  );
}

const phippyRef = { kind: 'Component', namespace: 'default', name: 'phippy' };

describe('EntityStageflowContent', () => {
  it('lists the releases with links to GitHub', async () => {
    await renderContent(mockStageflowApi());
    expect(await screen.findByText('Releases')).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'v1.1.0' })).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: /^1\.2\.0/ })[0],
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/phippy/releases/tag/v1.2.0',
    );
  });

  it('shows the stage transitions newest first', async () => {
    await renderContent(mockStageflowApi());
    await screen.findByText('Stage history');
    const rows = screen
      .getAllByRole('row')
      .filter(row => within(row).queryByText(/^(staging|prod)$/));
    const stagesInOrder = rows.map(
      row => within(row).getByText(/^(staging|prod)$/).textContent,
    );
    expect(stagesInOrder).toEqual(['staging', 'prod', 'prod']);
    expect(within(rows[1]).getByText('1.1.0')).toBeInTheDocument();
    expect(within(rows[1]).getByText('1.2.0')).toBeInTheDocument();
    expect(within(rows[2]).getByText('1.0.0')).toBeInTheDocument();
  });

  it('shows the DORA figures', async () => {
    await renderContent(mockStageflowApi());
    expect(
      await screen.findByText('DORA figures for prod, last 30 days'),
    ).toBeInTheDocument();
    expect(screen.getByText('1.4 / week')).toBeInTheDocument();
    expect(screen.getByText('6 deployments')).toBeInTheDocument();
    expect(screen.getByText('30 hours')).toBeInTheDocument();
    expect(screen.getByText('25%')).toBeInTheDocument();
  });

  it('compares the range given in the URL, grouped by commit type', async () => {
    const api = mockStageflowApi();
    await renderContent(api, '/?from=prod&to=staging');

    expect(
      await screen.findByText(
        '3 commits in staging that are not in prod. They imply a minor bump to 1.3.0.',
      ),
    ).toBeInTheDocument();
    expect(api.getCompare).toHaveBeenCalledWith(phippyRef, {
      from: 'prod',
      to: 'staging',
    });
    const headings = screen
      .getAllByRole('heading', { level: 3 })
      .map(h => h.textContent)
      .filter(text => /\(\d+\)$/.test(text ?? ''));
    expect(headings).toEqual([
      'Features (1)',
      'Bug fixes (1)',
      'Other changes (1)',
    ]);
    expect(
      within(screen.getByRole('region', { name: 'Features' })).getByText(
        'feat: dark mode',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: 'Bug fixes' })).getByText(
        'fix: header overlaps menu',
      ),
    ).toBeInTheDocument();
  });

  it('compares what the two selects name', async () => {
    const api = mockStageflowApi();
    await renderContent(api);
    const from = await screen.findByRole('combobox', { name: 'From' });
    const to = screen.getByRole('combobox', { name: 'To' });
    // Defaults to the last stage against the first.
    expect(from).toHaveValue('prod');
    expect(to).toHaveValue('staging');

    await userEvent.selectOptions(from, 'v1.1.0');
    await userEvent.selectOptions(to, 'v1.2.0');
    await waitFor(() =>
      expect(api.getCompare).toHaveBeenLastCalledWith(phippyRef, {
        from: 'v1.1.0',
        to: 'v1.2.0',
      }),
    );
  });

  it('keeps the other sections when the history fails', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'Error', message: 'history is down' },
          response: { statusCode: 502 },
        }),
        { status: 502 },
      ),
    );
    await renderContent(
      mockStageflowApi({
        getHistory: async () => {
          throw error;
        },
      }),
    );
    expect(
      (await screen.findAllByText(/history is down/)).length,
    ).toBeGreaterThan(0);
    expect(
      await screen.findByRole('cell', { name: 'v1.1.0' }),
    ).toBeInTheDocument();
  });

  it('shows the release notes', async () => {
    await renderContent(mockStageflowApi());
    const notes = await screen.findByRole('group', { name: 'Notes of 1.2.0' });
    expect(
      within(notes).getByRole('heading', { name: 'Features' }),
    ).toBeInTheDocument();
    expect(within(notes).getByText('header overlaps menu')).toBeInTheDocument();
    // 1.1.0 has none.
    expect(screen.queryByRole('group', { name: 'Notes of 1.1.0' })).toBeNull();
  });

  it('says when the releases are the last known list', async () => {
    const asOf = new Date(Date.now() - 2 * 3600_000).toISOString();
    await renderContent(
      mockStageflowApi({
        getReleases: async () => ({
          ...releases,
          stale: { asOf, reason: 'GitHub github.com did not answer' },
        }),
      }),
    );
    expect(
      await screen.findByText(
        'as of 2 hours ago: GitHub github.com did not answer',
      ),
    ).toBeInTheDocument();
  });

  it('lists the hotfix candidates', async () => {
    await renderContent(mockStageflowApi());
    expect(await screen.findByText('Hotfix candidates')).toBeInTheDocument();
    const row = screen
      .getAllByRole('row')
      .find(r => within(r).queryByText('perf: cache the menu'));
    expect(row).toBeDefined();
    expect(within(row!).getByText('Ada')).toBeInTheDocument();
    expect(
      within(row!).getByRole('link', { name: /^ddddddd/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/phippy/commit/ddddddd444',
    );
  });

  it('shows no hotfix candidates when the backend has no such endpoint', async () => {
    const api = mockStageflowApi({
      getHotfixes: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'NotFoundError', message: 'no such route' },
              response: { statusCode: 404 },
            }),
            { status: 404 },
          ),
        );
      },
    });
    await renderContent(api);
    expect(await screen.findByText('Releases')).toBeInTheDocument();
    await waitFor(() => expect(api.getHotfixes).toHaveBeenCalled());
    expect(screen.queryByText('Hotfix candidates')).toBeNull();
    expect(screen.queryByText(/no such route/)).toBeNull();
  });

  it('names who made a change, or the snapshot that saw it', async () => {
    await renderContent(
      mockStageflowApi({
        getHistory: async () => ({
          ...history,
          transitions: [
            {
              stage: 'prod',
              observedAt: '2026-11-21T10:00:00Z',
              fromVersion: '1.2.0',
              toVersion: '1.3.0',
              status: 'ok',
              actor: 'user:default/guest',
              taskId: 'task-1',
            },
            history.transitions[0],
          ],
        }),
      }),
    );
    await screen.findByText('Stage history');
    const rows = screen
      .getAllByRole('row')
      .filter(row => within(row).queryByText('prod'));
    expect(within(rows[0]).getByText('user:default/guest')).toBeInTheDocument();
    expect(within(rows[1]).getByText('snapshot')).toBeInTheDocument();
  });

  it('lists a new release as soon as it is announced', async () => {
    const signals = new FakeSignalApi();
    let list = releases.releases;
    const api = mockStageflowApi({
      getReleases: async () => ({ releases: list }),
    });
    await renderContent(api, '/', signals);
    expect(
      await screen.findByRole('cell', { name: 'v1.2.0' }),
    ).toBeInTheDocument();
    list = [
      {
        tag: 'v1.3.0',
        version: '1.3.0',
        sha: 'e'.repeat(40),
        prerelease: false,
      },
      ...list,
    ];
    act(() =>
      signals.publish(STAGEFLOW_SIGNAL_CHANNEL, {
        entityRef: 'component:default/phippy',
        kind: 'release',
        version: '1.3.0',
        actor: 'user:default/guest',
      }),
    );
    // The whole tab renders again: slow in jsdom on a loaded machine.
    const slow = { timeout: 10_000 };
    await waitFor(() => expect(api.getReleases).toHaveBeenCalledTimes(2), slow);
    expect(
      await screen.findByRole('cell', { name: 'v1.3.0' }, slow),
    ).toBeInTheDocument();
  }, 30_000);
});
