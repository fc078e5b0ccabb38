import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { STAGEFLOW_SIGNAL_CHANNEL } from '@stageflow/plugin-stageflow-common';
import { act, screen, waitFor } from '@testing-library/react';
import { stageflowApiRef } from './api';
import stageflowPlugin, {
  stageflowEntityCard,
  stageflowEntityContent,
  stageflowPage,
} from './alpha';
import { FakeSignalApi, mockStageflowApi, phippy, stages } from './testing';

const notAnnotated = {
  ...phippy,
  metadata: { name: 'plain', namespace: 'default' },
};
const annotatedApi = { ...phippy, kind: 'API' };

describe('alpha extensions', () => {
  it.each([
    'api:stageflow',
    'entity-card:stageflow/stages',
    'entity-content:stageflow',
    'page:stageflow',
    'scaffolder-form-field:stageflow/release-version-picker',
    'scaffolder-form-field:stageflow/stage-picker',
    'scaffolder-form-field:stageflow/hotfix-candidate-picker',
  ])('provides %s, as the README says', id => {
    expect(() => stageflowPlugin.getExtension(id as any)).not.toThrow();
  });

  it('adds the Stageflow tab to annotated components', () => {
    const tester = createExtensionTester(stageflowEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('stageflow');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Stageflow');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(phippy)).toBe(true);
    expect(filter?.(notAnnotated)).toBe(false);
    expect(filter?.(annotatedApi)).toBe(false);
  });

  it('renders the Stageflow tab', async () => {
    const tester = createExtensionTester(stageflowEntityContent);
    await renderInTestApp(
      <EntityProvider entity={phippy}>{tester.reactElement()}</EntityProvider>,
      { apis: [[stageflowApiRef, mockStageflowApi()]] },
    );
    expect(
      await screen.findByText('DORA figures for prod, last 30 days'),
    ).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'v1.1.0' })).toBeInTheDocument();
  });

  it('renders the stages card for annotated components', async () => {
    const tester = createExtensionTester(stageflowEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(phippy)).toBe(true);
    expect(filter?.(notAnnotated)).toBe(false);

    await renderInTestApp(
      <EntityProvider entity={phippy}>{tester.reactElement()}</EntityProvider>,
      {
        apis: [[stageflowApiRef, mockStageflowApi()]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('Flow: oneflow')).toBeInTheDocument();
    expect(screen.getByText('staging')).toBeInTheDocument();
  });

  it('updates the stages card when a change is announced', async () => {
    const signals = new FakeSignalApi();
    let stagingStatus: 'drift' | 'ok' = 'drift';
    const api = mockStageflowApi({
      getStages: async () => ({
        ...stages,
        stages: stages.stages.map(s =>
          s.name === 'staging' ? { ...s, status: stagingStatus } : s,
        ),
      }),
    });
    const tester = createExtensionTester(stageflowEntityCard);
    await renderInTestApp(
      <EntityProvider entity={phippy}>{tester.reactElement()}</EntityProvider>,
      {
        apis: [
          [stageflowApiRef, api],
          [signalApiRef, signals],
        ],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('drift')).toBeInTheDocument();
    stagingStatus = 'ok';
    act(() =>
      signals.publish(STAGEFLOW_SIGNAL_CHANNEL, {
        entityRef: 'component:default/phippy',
        kind: 'release',
      }),
    );
    await waitFor(() => expect(screen.queryByText('drift')).toBeNull());
    expect(screen.getAllByText('ok')).toHaveLength(2);
  });

  it('mounts the overview page at /stageflow', async () => {
    const tester = createExtensionTester(stageflowPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/stageflow');

    await renderInTestApp(tester.reactElement(), {
      apis: [[stageflowApiRef, mockStageflowApi()]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(await screen.findByText('Components (3 of 3)')).toBeInTheDocument();
  });
});
