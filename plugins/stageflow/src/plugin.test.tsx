import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { stageflowApiRef } from './api';
import {
  EntityStageflowCard,
  EntityStageflowContent,
  StageflowPage,
  stageflowPlugin,
} from './plugin';
import { mockStageflowApi, phippy } from './testing';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('legacy extensions', () => {
  it('is the stageflow plugin', () => {
    expect(stageflowPlugin.getId()).toBe('stageflow');
  });

  it('renders the card and the tab of an entity', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [stageflowApiRef, mockStageflowApi()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={phippy}>
          <EntityStageflowCard />
          {/* As an app mounts it, under an entity page route. */}
          <Routes>
            <Route path="/tab" element={<EntityStageflowContent />} />
          </Routes>
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes, routeEntries: ['/tab'] },
    );
    expect(await screen.findByText('Flow: oneflow')).toBeInTheDocument();
    expect(
      await screen.findByText('DORA figures for prod, last 30 days'),
    ).toBeInTheDocument();
  });

  it('renders the overview page', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [stageflowApiRef, mockStageflowApi()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path="/stageflow" element={<StageflowPage />} />
        </Routes>
      </TestApiProvider>,
      { mountedRoutes, routeEntries: ['/stageflow'] },
    );
    expect(await screen.findByText('Components (3 of 3)')).toBeInTheDocument();
  });
});
