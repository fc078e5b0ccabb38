import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { STAGEFLOW_SIGNAL_CHANNEL } from '@stageflow/plugin-stageflow-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StageflowApi, stageflowApiRef } from '../../api';
import { FakeSignalApi, mockStageflowApi, overviewItems } from '../../testing';
import { StageflowPage } from './StageflowPage';

function renderPage(api: StageflowApi, signals?: FakeSignalApi) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [stageflowApiRef, api],
        ...(signals ? [[signalApiRef, signals] as const] : []),
      ]}
    >
      <StageflowPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function bodyRows() {
  return screen
    .getAllByRole('row')
    .filter(row => within(row).queryByRole('link', { name: /^app-\d+$/ }));
}

// Serves `count` items in batches like the backend, with totalCount.
function pagedApi(count: number) {
  const all = overviewItems(count);
  return mockStageflowApi({
    getOverview: jest.fn(async ({ limit = 50, offset = 0 } = {}) => ({
      items: all.slice(offset, offset + limit),
      totalCount: all.length,
    })),
  });
}

// Rendering MUI tables in jsdom is slow on shared CI machines.
jest.setTimeout(60_000);

describe('StageflowPage', () => {
  it('renders one page of 20 rows out of 1,000 components', async () => {
    const api = pagedApi(1000);
    await renderPage(api);
    expect(
      await screen.findByText('Components (1000 of 1000)'),
    ).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(20);
    expect(api.getOverview).toHaveBeenCalledWith({ limit: 500, offset: 0 });
    expect(api.getOverview).toHaveBeenCalledWith({ limit: 500, offset: 500 });
    expect(api.getOverview).toHaveBeenCalledTimes(2);
    expect(screen.getAllByText('1-20 of 1000').length).toBeGreaterThan(0);

    await userEvent.click(
      screen.getAllByRole('button', { name: 'Next Page' })[0],
    );
    expect(
      (await screen.findAllByText('21-40 of 1000')).length,
    ).toBeGreaterThan(0);
    expect(bodyRows()).toHaveLength(20);
    expect(screen.getByRole('link', { name: 'app-0020' })).toBeInTheDocument();
  });

  it('links each row to its entity page', async () => {
    await renderPage(pagedApi(3));
    expect(
      await screen.findByRole('link', { name: 'app-0000' }),
    ).toHaveAttribute('href', '/catalog/default/component/app-0000');
  });

  it('narrows the rows with the owner, system and flow filters', async () => {
    await renderPage(pagedApi(30));
    await screen.findByText('Components (30 of 30)');

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Owner' }),
      'group:default/team-a',
    );
    expect(screen.getByText('Components (15 of 30)')).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Flow' }),
      'gitflow',
    );
    // Even indices that are multiples of 5: 0, 10, 20.
    expect(screen.getByText('Components (3 of 30)')).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(3);

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'System' }),
      'system:default/shop',
    );
    // Of those, multiples of 3: 0.
    expect(bodyRows()).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'app-0000' })).toBeInTheDocument();
  });

  it('highlights drift and can show only the drifting components', async () => {
    await renderPage(pagedApi(30));
    await screen.findByText('Components (30 of 30)');

    const drifting = screen
      .getByRole('link', { name: 'app-0007' })
      .closest('tr')!;
    expect(within(drifting).getByText('drift in prod')).toBeInTheDocument();
    expect(within(drifting).getByText('prod 1.7.0')).toBeInTheDocument();
    const healthy = screen
      .getByRole('link', { name: 'app-0001' })
      .closest('tr')!;
    expect(within(healthy).getByText('ok')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Drift only' }));
    // 0, 7, 14, 21, 28
    expect(screen.getByText('Components (5 of 30)')).toBeInTheDocument();
    expect(bodyRows()).toHaveLength(5);
    for (const row of bodyRows()) {
      expect(within(row).getByText(/^drift in prod$/)).toBeInTheDocument();
    }
  });

  it('stops reading when the backend reports no total count', async () => {
    const api = mockStageflowApi({
      getOverview: jest.fn(async () => ({ items: overviewItems(2) })),
    });
    await renderPage(api);
    expect(await screen.findByText('Components (2 of 2)')).toBeInTheDocument();
    expect(api.getOverview).toHaveBeenCalledTimes(1);
  });

  it('shows the error of the API', async () => {
    await renderPage(
      mockStageflowApi({
        getOverview: async () => {
          throw new Error('overview is down');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/overview is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('reads again when a change of any component is announced, once per burst', async () => {
    const signals = new FakeSignalApi();
    let count = 2;
    const pending: Array<() => void> = [];
    const api = mockStageflowApi({
      getOverview: jest.fn(
        () =>
          new Promise(resolve => {
            const items = overviewItems(count);
            const answer = () => resolve({ items, totalCount: items.length });
            // The first read answers at once, later ones when the test says.
            if (api.getOverview.mock.calls.length === 1) answer();
            else pending.push(answer);
          }),
      ),
    });
    await renderPage(api, signals);
    expect(await screen.findByText('Components (2 of 2)')).toBeInTheDocument();

    count = 3;
    const change = (name: string) =>
      act(() =>
        signals.publish(STAGEFLOW_SIGNAL_CHANNEL, {
          entityRef: `component:default/${name}`,
          kind: 'observed',
        }),
      );
    change('app-0002');
    await waitFor(() => expect(api.getOverview).toHaveBeenCalledTimes(2));
    // Two more while that read is under way: one read after it, not two.
    change('app-0001');
    change('app-0000');
    // The table stays while it reads again.
    expect(screen.getByText('Components (2 of 2)')).toBeInTheDocument();
    await act(async () => pending.shift()!());
    await waitFor(() => expect(api.getOverview).toHaveBeenCalledTimes(3));
    await act(async () => pending.shift()!());
    expect(await screen.findByText('Components (3 of 3)')).toBeInTheDocument();
    expect(api.getOverview).toHaveBeenCalledTimes(3);
  });
});
